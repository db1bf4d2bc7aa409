import { Alert, Stack, Typography } from "@mui/material";

import { RiskFields } from "../risk/RiskFields";
import { BLACKOUTS_KEY, RISK_FIELDS, SECTORS_KEY, errorKey, type RiskForm } from "../risk/riskForm";
import type { FormErrors } from "./schemaForm";

const KNOWN = new Set(RISK_FIELDS.map(errorKey));

/** Step 4: the session's risk rules, every one optional (none set: the session trades without any). */
export function RiskStep({
  form,
  errors,
  onChange,
}: {
  form: RiskForm;
  errors: FormErrors;
  onChange: (form: RiskForm, touched: string) => void;
}) {
  // A complaint about a rule this form has no field of (a whole group) shows above the form.
  const other = Object.entries(errors).filter(
    ([key]) => key.startsWith("risk") && !KNOWN.has(key) && !key.startsWith(BLACKOUTS_KEY) && !key.startsWith(SECTORS_KEY),
  );
  return (
    <Stack spacing={2}>
      <Typography color="text.secondary">
        Every rule is optional: one left empty is not enforced. The session page shows how close the session is to each
        rule, and changes them while it runs.
      </Typography>
      {other.map(([key, message]) => (
        <Alert key={key} severity="error" role="alert">
          {message}
        </Alert>
      ))}
      <RiskFields form={form} errors={errors} onChange={onChange} />
    </Stack>
  );
}
