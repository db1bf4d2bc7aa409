import { Autocomplete, Chip, TextField } from "@mui/material";

interface Props {
  id: string;
  label: string;
  value: string[];
  onChange: (items: string[]) => void;
  helperText: string;
  error?: boolean;
  required?: boolean;
}

/** A free-form list of short texts, each typed and entered as a chip. */
export function ChipListField({ id, label, value, onChange, helperText, error = false, required }: Props) {
  return (
    <Autocomplete
      multiple
      freeSolo
      options={[]}
      value={value}
      onChange={(_event, items) => {
        onChange(items.map(String));
      }}
      renderValue={(items, getItemProps) =>
        items.map((item, index) => {
          const { key, ...itemProps } = getItemProps({ index });
          return <Chip key={key} label={item} size="small" {...itemProps} />;
        })
      }
      renderInput={(params) => (
        <TextField {...params} id={id} label={label} required={required} error={error} helperText={helperText} />
      )}
    />
  );
}
