/** The inputs of the risk form (riskForm.ts), group by group. */
import AddIcon from "@mui/icons-material/Add";
import DeleteIcon from "@mui/icons-material/Delete";
import {
  Box,
  Button,
  FormControl,
  FormControlLabel,
  FormHelperText,
  IconButton,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";

import { ChipListField } from "../../components/ChipListField";
import type { FormErrors } from "../wizard/schemaForm";
import {
  BLACKOUTS_KEY,
  RISK_FIELDS,
  RISK_GROUPS,
  SECTOR_LABEL,
  SECTORS_KEY,
  errorKey,
  isActive,
  keyOf,
  type BlackoutRow,
  type RiskFieldSpec,
  type RiskForm,
  type RiskGroup,
  type RiskValue,
  type SectorRow,
} from "./riskForm";

interface Props {
  form: RiskForm;
  errors: FormErrors;
  /** The new form, and the error id of what changed. */
  onChange: (form: RiskForm, touched: string) => void;
  groups?: readonly RiskGroup[];
}

export function RiskFields({ form, errors, onChange, groups }: Props) {
  const shown = RISK_GROUPS.filter((group) => groups === undefined || groups.includes(group.group));
  const set = (spec: RiskFieldSpec, value: RiskValue) => {
    onChange({ ...form, values: { ...form.values, [keyOf(spec)]: value } }, errorKey(spec));
  };
  const setBlackouts = (blackouts: BlackoutRow[]) => {
    onChange({ ...form, blackouts }, BLACKOUTS_KEY);
  };
  const setSectors = (sectors: SectorRow[]) => {
    onChange({ ...form, sectors }, SECTORS_KEY);
  };
  return (
    <Stack spacing={3}>
      {shown.map(({ group, title, help }) => (
        <Box component="fieldset" key={group} sx={{ border: 0, m: 0, p: 0, minWidth: 0 }}>
          <Typography component="legend" variant="subtitle1" sx={{ fontWeight: 600 }}>
            {title}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1.5 }}>
            {help}
          </Typography>
          <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "1fr", md: "1fr 1fr", lg: "1fr 1fr 1fr" } }}>
            {RISK_FIELDS.filter((spec) => spec.group === group && isActive(spec, form)).map((spec) => (
              <RiskInput
                key={keyOf(spec)}
                spec={spec}
                value={form.values[keyOf(spec)]}
                error={errors[errorKey(spec)]}
                onChange={(value) => {
                  set(spec, value);
                }}
              />
            ))}
          </Box>
          {group === "limits" && <Sectors rows={form.sectors} errors={errors} onChange={setSectors} />}
          {group === "hours" && (
            <Blackouts rows={form.blackouts} errors={errors} onChange={setBlackouts} />
          )}
        </Box>
      ))}
    </Stack>
  );
}

function RiskInput({
  spec,
  value,
  error,
  onChange,
}: {
  spec: RiskFieldSpec;
  value: RiskValue | undefined;
  error: string | undefined;
  onChange: (value: RiskValue) => void;
}) {
  const id = `risk-${spec.group}-${spec.name}`;
  if (spec.kind === "flag") {
    return (
      <FormControl error={error !== undefined}>
        <FormControlLabel
          control={
            <Switch
              id={id}
              checked={value === true}
              onChange={(event) => {
                onChange(event.target.checked);
              }}
            />
          }
          label={spec.label}
        />
        <FormHelperText>{error ?? spec.help}</FormHelperText>
      </FormControl>
    );
  }
  if (spec.kind === "symbols") {
    return (
      <ChipListField
        id={id}
        label={spec.label}
        value={Array.isArray(value) ? value : []}
        onChange={(items) => {
          onChange([...new Set(items.map((item) => item.trim().toUpperCase()).filter((item) => item !== ""))]);
        }}
        error={error !== undefined}
        helperText={error ?? `${spec.help}; type one and press Enter`}
      />
    );
  }
  return (
    <TextField
      id={id}
      label={spec.label}
      type={spec.kind === "time" ? "time" : "text"}
      value={typeof value === "string" ? value : ""}
      error={error !== undefined}
      helperText={error ?? spec.help}
      slotProps={{
        inputLabel: spec.kind === "time" ? { shrink: true } : {},
        htmlInput: spec.kind === "time" ? {} : { inputMode: spec.kind === "count" ? "numeric" : "decimal" },
      }}
      onChange={(event) => {
        onChange(event.target.value);
      }}
    />
  );
}

/** `limits.sector_max_pct`: a row per sector, its cap in percent of equity. */
function Sectors({ rows, errors, onChange }: { rows: SectorRow[]; errors: FormErrors; onChange: (rows: SectorRow[]) => void }) {
  const edit = (index: number, change: Partial<SectorRow>) => {
    onChange(rows.map((row, at) => (at === index ? { ...row, ...change } : row)));
  };
  return (
    <Stack spacing={1.5} sx={{ mt: 2 }}>
      <Typography variant="body2">
        {SECTOR_LABEL}: the largest gross exposure per sector (as asset metadata names it, e.g. Energy)
      </Typography>
      {rows.map((row, index) => {
        const error = errors[`${SECTORS_KEY}.${String(index)}`];
        const label = `Sector cap ${String(index + 1)}`;
        return (
          <Stack key={index} direction="row" sx={{ gap: 1.5, flexWrap: "wrap", alignItems: "flex-start" }} role="group" aria-label={label}>
            <TextField
              label={`${label} sector`}
              value={row.sector}
              error={error !== undefined}
              helperText={error}
              slotProps={{ htmlInput: { maxLength: 64 } }}
              onChange={(event) => {
                edit(index, { sector: event.target.value });
              }}
            />
            <TextField
              label={`${label} (% of equity)`}
              value={row.pct}
              error={error !== undefined}
              slotProps={{ htmlInput: { inputMode: "decimal" } }}
              onChange={(event) => {
                edit(index, { pct: event.target.value });
              }}
            />
            <IconButton
              aria-label={`Remove sector cap ${String(index + 1)}`}
              onClick={() => {
                onChange(rows.filter((_row, at) => at !== index));
              }}
            >
              <DeleteIcon />
            </IconButton>
          </Stack>
        );
      })}
      {errors[SECTORS_KEY] !== undefined && (
        <Typography color="error" variant="body2" role="alert">
          {errors[SECTORS_KEY]}
        </Typography>
      )}
      <Box>
        <Button
          startIcon={<AddIcon />}
          onClick={() => {
            onChange([...rows, { sector: "", pct: "" }]);
          }}
        >
          Add a sector cap
        </Button>
      </Box>
    </Stack>
  );
}

function Blackouts({
  rows,
  errors,
  onChange,
}: {
  rows: BlackoutRow[];
  errors: FormErrors;
  onChange: (rows: BlackoutRow[]) => void;
}) {
  const edit = (index: number, change: Partial<BlackoutRow>) => {
    onChange(rows.map((row, at) => (at === index ? { ...row, ...change } : row)));
  };
  return (
    <Stack spacing={1.5} sx={{ mt: 2 }}>
      <Typography variant="body2">Blackouts: windows in which no order is taken (UTC)</Typography>
      {rows.map((row, index) => {
        const error = errors[`${BLACKOUTS_KEY}.${String(index)}`];
        const label = `Blackout ${String(index + 1)}`;
        return (
          <Stack key={index} direction="row" sx={{ gap: 1.5, flexWrap: "wrap", alignItems: "flex-start" }} role="group" aria-label={label}>
            <TextField
              label={`${label} start (UTC)`}
              type="datetime-local"
              value={row.start}
              error={error !== undefined}
              helperText={error}
              slotProps={{ inputLabel: { shrink: true } }}
              onChange={(event) => {
                edit(index, { start: event.target.value });
              }}
            />
            <TextField
              label={`${label} end (UTC)`}
              type="datetime-local"
              value={row.end}
              error={error !== undefined}
              slotProps={{ inputLabel: { shrink: true } }}
              onChange={(event) => {
                edit(index, { end: event.target.value });
              }}
            />
            <TextField
              label={`${label} reason`}
              value={row.reason}
              slotProps={{ htmlInput: { maxLength: 200 } }}
              onChange={(event) => {
                edit(index, { reason: event.target.value });
              }}
            />
            <IconButton
              aria-label={`Remove blackout ${String(index + 1)}`}
              onClick={() => {
                onChange(rows.filter((_row, at) => at !== index));
              }}
            >
              <DeleteIcon />
            </IconButton>
          </Stack>
        );
      })}
      {errors[BLACKOUTS_KEY] !== undefined && (
        <Typography color="error" variant="body2" role="alert">
          {errors[BLACKOUTS_KEY]}
        </Typography>
      )}
      <Box>
        <Button
          startIcon={<AddIcon />}
          onClick={() => {
            onChange([...rows, { start: "", end: "", reason: "" }]);
          }}
        >
          Add a blackout
        </Button>
      </Box>
    </Stack>
  );
}
