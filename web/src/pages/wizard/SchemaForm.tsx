import { FormControl, FormControlLabel, FormHelperText, MenuItem, Stack, Switch, TextField, Typography } from "@mui/material";

import { ChipListField } from "../../components/ChipListField";
import { boundsText, type FieldSpec, type FieldValue, type FormErrors, type FormValues } from "./schemaForm";

interface Props {
  fields: FieldSpec[];
  values: FormValues;
  errors: FormErrors;
  onChange: (name: string, value: FieldValue) => void;
}

function helper(field: FieldSpec, error: string | undefined): string {
  if (error !== undefined) {
    return error;
  }
  const parts = [field.description, boundsText(field)];
  if (field.nullable && (field.defaultValue === null || field.defaultValue === undefined)) {
    parts.push("empty: the default");
  }
  return parts.filter((part) => part !== null && part !== "").join(" · ");
}

/** The inputs of a form drawn from a JSON Schema (see schemaForm.ts). */
export function SchemaForm({ fields, values, errors, onChange }: Props) {
  if (fields.length === 0) {
    return <Typography color="text.secondary">This strategy has no parameters.</Typography>;
  }
  return (
    <Stack spacing={2}>
      {fields.map((field) => (
        <SchemaField
          key={field.name}
          field={field}
          value={values[field.name]}
          error={errors[field.name]}
          onChange={(value) => {
            onChange(field.name, value);
          }}
        />
      ))}
    </Stack>
  );
}

function SchemaField({
  field,
  value,
  error,
  onChange,
}: {
  field: FieldSpec;
  value: FieldValue | undefined;
  error: string | undefined;
  onChange: (value: FieldValue) => void;
}) {
  const id = `param-${field.name}`;
  const helperText = helper(field, error);
  switch (field.kind) {
    case "boolean":
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
            label={field.required ? `${field.label} *` : field.label}
          />
          {helperText !== "" && <FormHelperText>{helperText}</FormHelperText>}
        </FormControl>
      );
    case "enum":
      return (
        <TextField
          id={id}
          select
          label={field.label}
          required={field.required}
          value={typeof value === "string" ? value : ""}
          error={error !== undefined}
          helperText={helperText}
          onChange={(event) => {
            onChange(event.target.value);
          }}
        >
          {field.nullable && <MenuItem value="">(none)</MenuItem>}
          {(field.options ?? []).map((option) => (
            <MenuItem key={String(option)} value={String(option)}>
              {String(option)}
            </MenuItem>
          ))}
        </TextField>
      );
    case "strings":
      return (
        <ChipListField
          id={id}
          label={field.label}
          required={field.required}
          value={Array.isArray(value) ? value : []}
          onChange={onChange}
          error={error !== undefined}
          helperText={helperText === "" ? "Type a value and press Enter" : helperText}
        />
      );
    case "unsupported":
      return (
        <TextField
          id={id}
          label={field.label}
          disabled
          value=""
          helperText={`${field.description ?? ""} (this kind of parameter cannot be set here: its default applies)`}
        />
      );
    default:
      return (
        <TextField
          id={id}
          label={field.label}
          required={field.required}
          value={typeof value === "string" ? value : ""}
          error={error !== undefined}
          helperText={helperText}
          slotProps={{
            htmlInput: field.kind === "string" ? {} : { inputMode: field.kind === "integer" ? "numeric" : "decimal" },
          }}
          onChange={(event) => {
            onChange(event.target.value);
          }}
        />
      );
  }
}
