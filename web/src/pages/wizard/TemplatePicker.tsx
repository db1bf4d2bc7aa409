/** "Start from template": the wizard's first step offers the templates; one picked fills the wizard in. */
import { Box, MenuItem, TextField, Typography } from "@mui/material";

import { useTemplates } from "../templates/api";
import type { Template } from "../templates/types";

export function TemplatePicker({ chosen, onPick }: { chosen: string; onPick: (template: Template) => void }) {
  const templates = useTemplates();
  const items = templates.data?.items ?? [];
  if (templates.isError) {
    return null; // a server without templates: the wizard starts empty, as before
  }
  return (
    <Box sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap", mb: 3 }}>
      <TextField
        select
        size="small"
        sx={{ minWidth: 280 }}
        label="Start from template"
        value={items.some((item) => item.id === chosen) ? chosen : ""}
        disabled={items.length === 0}
        slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
        onChange={(event) => {
          const template = items.find((item) => item.id === event.target.value);
          if (template !== undefined) onPick(template);
        }}
      >
        <MenuItem value="">{templates.isPending ? "Loading templates…" : "None: start empty"}</MenuItem>
        {items.map((template) => (
          <MenuItem key={template.id} value={template.id}>
            {template.name}
            {template.builtin ? " (built-in)" : ""} · {template.type}
          </MenuItem>
        ))}
      </TextField>
      <Typography variant="body2" color="text.secondary">
        A template fills in every step; change what should differ.
      </Typography>
    </Box>
  );
}
