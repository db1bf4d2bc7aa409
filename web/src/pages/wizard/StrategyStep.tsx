import { Alert, Box, Chip, List, ListItemButton, ListItemText, Paper, Stack, Tooltip, Typography } from "@mui/material";
import type { UseQueryResult } from "@tanstack/react-query";

import type { Schemas } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageLoading } from "../../components/PageLoading";
import { SchemaForm } from "./SchemaForm";
import type { FieldSpec, FieldValue, FormErrors, FormValues } from "./schemaForm";

export type Strategy = Schemas["StrategyPublic"];

interface Props {
  query: UseQueryResult<Strategy[]>;
  selected: string | null;
  fields: FieldSpec[];
  values: FormValues;
  /** Field errors by parameter name; `strategy` and `params` for the choice and the whole. */
  errors: FormErrors;
  onPick: (strategy: Strategy) => void;
  onChange: (name: string, value: FieldValue) => void;
}

/** Step 2: the strategy, and its parameters as a form drawn from their schema. */
export function StrategyStep({ query, selected, fields, values, errors, onPick, onChange }: Props) {
  if (query.isPending) {
    return <PageLoading label="Loading the strategies…" />;
  }
  if (query.isError) {
    return (
      <ErrorAlert
        error={query.error}
        title="The strategies could not be loaded"
        onRetry={() => {
          void query.refetch();
        }}
      />
    );
  }
  const strategies = query.data;
  if (strategies.length === 0) {
    return <Alert severity="info">The server offers no strategies: install one (docs/strategies.md) and come back.</Alert>;
  }
  const current = strategies.find((strategy) => strategy.name === selected);
  const paramErrors: FormErrors = {};
  for (const [key, message] of Object.entries(errors)) {
    if (key.startsWith("param:")) paramErrors[key.slice(6)] = message;
    else if (key !== "strategy" && key !== "params") paramErrors[key] = message;
  }
  return (
    <Stack direction={{ xs: "column", md: "row" }} spacing={3} sx={{ alignItems: "flex-start" }}>
      <Paper variant="outlined" sx={{ flex: "1 1 40%", width: "100%" }}>
        <List aria-label="Strategies" disablePadding>
          {strategies.map((strategy) => {
            const broken = strategy.error !== null;
            const item = (
              <ListItemButton
                key={strategy.name}
                selected={strategy.name === selected}
                disabled={broken}
                onClick={() => {
                  onPick(strategy);
                }}
                aria-label={strategy.name}
              >
                <ListItemText
                  primary={
                    <Box component="span" sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}>
                      <Box component="span" sx={{ fontFamily: "monospace" }}>
                        {strategy.name}
                      </Box>
                      {strategy.origin !== "built-in" && <Chip size="small" label={strategy.origin} />}
                      {strategy.uses_sentiment === true && <Chip size="small" label="uses sentiment" />}
                      {broken && <Chip size="small" color="error" label="does not load" />}
                    </Box>
                  }
                  secondary={broken ? strategy.error : strategy.description}
                />
              </ListItemButton>
            );
            return broken ? (
              <Tooltip key={strategy.name} title={`Cannot be used: ${strategy.error ?? ""}`}>
                <span>{item}</span>
              </Tooltip>
            ) : (
              item
            );
          })}
        </List>
      </Paper>
      <Box sx={{ flex: "1 1 60%", width: "100%" }}>
        {errors.strategy !== undefined && (
          <Alert severity="error" sx={{ mb: 2 }}>
            {errors.strategy}
          </Alert>
        )}
        {current === undefined ? (
          <Typography color="text.secondary">Pick a strategy to set its parameters.</Typography>
        ) : (
          <Stack spacing={2} component="section" aria-label={`Parameters of ${current.name}`}>
            <Typography variant="h6" component="h2">
              Parameters of {current.name}
            </Typography>
            {errors.params !== undefined && <Alert severity="error">{errors.params}</Alert>}
            <SchemaForm fields={fields} values={values} errors={paramErrors} onChange={onChange} />
          </Stack>
        )}
      </Box>
    </Stack>
  );
}
