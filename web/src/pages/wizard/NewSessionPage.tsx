import { Alert, Box, Button, Paper, Stack, Step, StepButton, StepLabel, Stepper, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";
import { CreateError, createSession } from "./createSession";
import { riskErrors } from "../risk/riskForm";
import { ReviewStep } from "./ReviewStep";
import { RiskStep } from "./RiskStep";
import { fieldsOf, initialValues, type FormErrors } from "./schemaForm";
import { StrategyStep, type Strategy } from "./StrategyStep";
import { commonRange, TradingStep, type Asset } from "./TradingStep";
import { stateFromTemplate } from "./fromTemplate";
import { TemplatePicker } from "./TemplatePicker";
import { TypeStep } from "./TypeStep";
import { useTemplates } from "../templates/api";
import type { Template } from "../templates/types";
import {
  clearState,
  createRequest,
  loadState,
  paramValues,
  REVIEW_STEP,
  RISK_STEP,
  saveState,
  STEPS,
  strategyErrors,
  tradingErrors,
  type WizardState,
} from "./wizardState";

/** A backtest's default period: the last year of the data the symbols share. */
function defaultPeriod(symbols: string[], assets: Asset[]): { start: string; end: string } | null {
  const range = commonRange(symbols, assets);
  if (range === null || range.start > range.end) return null;
  const yearBefore = `${String(Number(range.end.slice(0, 4)) - 1)}${range.end.slice(4)}`;
  return { start: yearBefore > range.start ? yearBefore : range.start, end: range.end };
}

export default function NewSessionPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [search, setSearch] = useSearchParams();
  const [state, setState] = useState<WizardState>(loadState);
  const [shown, setShown] = useState<Set<number>>(() => new Set());
  const [serverErrors, setServerErrors] = useState<FormErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [template, setTemplate] = useState("");

  const strategies = useQuery({ queryKey: keys.strategies, queryFn: () => call(api.GET("/v1/strategies")) });
  const assets = useQuery({ queryKey: keys.assets, queryFn: () => call(api.GET("/v1/assets")) });
  const presets = useQuery({ queryKey: keys.presets, queryFn: () => call(api.GET("/v1/execution/presets")) });

  useEffect(() => {
    saveState(state);
  }, [state]);

  const startFrom = (picked: Template) => {
    setTemplate(picked.id);
    setState(stateFromTemplate(picked));
    setServerErrors({});
  };
  // `?template=ID` (the Templates page's "open in the wizard"): fill in from it once it is read.
  const wantedTemplate = search.get("template");
  const templates = useTemplates();
  const [applied, setApplied] = useState<string | null>(null);
  const found = templates.data?.items.find((item) => item.id === wantedTemplate);
  if (found !== undefined && applied !== found.id) {
    setApplied(found.id);
    startFrom(found);
  }

  const selected: Strategy | undefined = strategies.data?.find((strategy) => strategy.name === state.strategy);
  const fields = useMemo(() => fieldsOf(selected?.params_schema), [selected]);

  const clientErrors: FormErrors[] = [
    state.kind === null ? { kind: "Pick a type of session" } : {},
    strategyErrors(state, fields),
    tradingErrors(state),
    riskErrors(state.risk),
    {},
  ];
  // The step in the address, never past the first step that is not complete.
  const firstIncomplete = clientErrors.findIndex((errors) => Object.keys(errors).length > 0);
  const wanted = Math.min(Math.max(Number(search.get("step") ?? "1") - 1 || 0, 0), STEPS.length - 1);
  const step = firstIncomplete === -1 ? wanted : Math.min(wanted, firstIncomplete);

  const goTo = (next: number) => {
    setSearch({ step: String(next + 1) }, { replace: false });
  };

  const update = (change: (state: WizardState) => WizardState, touched: string[] = []) => {
    setState(change);
    if (touched.length > 0) {
      setServerErrors((errors) => Object.fromEntries(Object.entries(errors).filter(([key]) => !touched.includes(key))));
    }
  };

  const errorsOf = (index: number): FormErrors => ({ ...serverErrors, ...(shown.has(index) ? clientErrors[index] : {}) });
  const stepOfError = (key: string) =>
    key === "strategy" || key === "params" || key.startsWith("param:") ? 1 : key.startsWith("risk") ? RISK_STEP : 2;
  const stepHasServerError = (index: number) => Object.keys(serverErrors).some((key) => stepOfError(key) === index);

  const request = useMemo(() => createRequest(state, fields), [state, fields]);
  const create = useMutation({
    mutationFn: () => createSession(request),
    onSuccess: async (id) => {
      clearState();
      await queryClient.invalidateQueries({ queryKey: keys.sessions });
      await navigate(`/sessions/${id}`);
    },
    onError: (error) => {
      if (error instanceof CreateError && error.problem !== null) {
        const { step: at, field, message } = error.problem;
        if (at !== null && field !== null) {
          setServerErrors({ [field]: message });
          setGeneral(null);
          goTo(at);
          return;
        }
      }
      setGeneral(error.message);
    },
  });

  const next = () => {
    setShown((current) => new Set(current).add(step));
    if (Object.keys(clientErrors[step] ?? {}).length === 0) {
      goTo(step + 1);
    }
  };

  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        New session
      </Typography>
      <Stepper activeStep={step} alternativeLabel>
        {STEPS.map((label, index) => (
          <Step key={label} completed={index < step}>
            {index < step ? (
              // Steps done can be gone back to; the ones ahead open with Next, which checks this one.
              <StepButton
                onClick={() => {
                  goTo(index);
                }}
              >
                <StepLabel error={stepHasServerError(index)}>{label}</StepLabel>
              </StepButton>
            ) : (
              <StepLabel error={stepHasServerError(index)}>{label}</StepLabel>
            )}
          </Step>
        ))}
      </Stepper>
      {general !== null && (
        <Alert severity="error" role="alert" onClose={() => { setGeneral(null); }}>
          The server refused to create the session: {general}
        </Alert>
      )}
      {step !== REVIEW_STEP && Object.keys(serverErrors).length > 0 && (
        <Alert severity="error" role="alert">
          The server refused to create the session: see the field marked below.
        </Alert>
      )}
      <Paper variant="outlined" sx={{ p: 3 }} component="section" aria-label={STEPS[step]}>
        {step === 0 && <TemplatePicker chosen={template} onPick={startFrom} />}
        {step === 0 && (
          <TypeStep
            kind={state.kind}
            error={shown.has(0) ? clientErrors[0]?.kind : undefined}
            onPick={(kind) => {
              update((s) => ({ ...s, kind }));
            }}
          />
        )}
        {step === 1 && (
          <StrategyStep
            query={strategies}
            selected={state.strategy}
            fields={fields}
            values={paramValues(state, fields)}
            errors={errorsOf(1)}
            onPick={(strategy) => {
              update(
                (s) => ({
                  ...s,
                  strategy: strategy.name,
                  params: { ...s.params, [strategy.name]: s.params[strategy.name] ?? initialValues(fieldsOf(strategy.params_schema)) },
                }),
                ["strategy", "params"],
              );
            }}
            onChange={(name, value) => {
              update(
                (s) => (s.strategy === null ? s : { ...s, params: { ...s.params, [s.strategy]: { ...s.params[s.strategy], [name]: value } } }),
                [`param:${name}`, "params"],
              );
            }}
          />
        )}
        {step === 2 && (
          <TradingStep
            state={state}
            assets={assets}
            presets={presets}
            errors={errorsOf(2)}
            onChange={(change) => {
              // Any edit on this step may answer the server's complaint about it.
              update(change, Object.keys(serverErrors).filter((key) => stepOfError(key) === 2));
            }}
            onSymbols={(symbols, list) => {
              update((s) => {
                const period = defaultPeriod(symbols, list);
                const range = commonRange(symbols, list);
                const outside = range === null || s.start === "" || s.start < range.start || s.end > range.end || s.end === "";
                return { ...s, symbols, ...(period !== null && outside ? period : {}) };
              }, ["symbols", "start", "end"]);
            }}
          />
        )}
        {step === RISK_STEP && (
          <RiskStep
            form={state.risk}
            errors={errorsOf(RISK_STEP)}
            onChange={(risk, touched) => {
              // An edit answers the server's complaint about that rule (a blackout: about any of them).
              update(
                (s) => ({ ...s, risk }),
                Object.keys(serverErrors).filter((key) => key === touched || key.startsWith(`${touched}.`)),
              );
            }}
          />
        )}
        {step === REVIEW_STEP && (
          <ReviewStep state={state} request={request} defaultPreset={presets.data?.find((preset) => preset.default)?.name ?? ""} />
        )}
      </Paper>
      <Box sx={{ display: "flex", gap: 2 }}>
        <Button
          variant="outlined"
          disabled={step === 0 || create.isPending}
          onClick={() => {
            goTo(step - 1);
          }}
        >
          Back
        </Button>
        {step < REVIEW_STEP ? (
          <Button variant="contained" onClick={next}>
            Next
          </Button>
        ) : (
          <Button
            variant="contained"
            color="success"
            disabled={create.isPending}
            onClick={() => {
              setGeneral(null);
              create.mutate();
            }}
          >
            {create.isPending
              ? "Creating…"
              : `Create ${state.kind === "paper" ? "paper session" : state.kind === "live" ? "live session" : "backtest"}`}
          </Button>
        )}
      </Box>
    </Stack>
  );
}
