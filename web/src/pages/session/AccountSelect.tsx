/** The choice of account on a session of several (an A/B test's arms): the panels below follow it. */
import { FormControl, InputLabel, MenuItem, Select } from "@mui/material";

import type { AccountChoice } from "./accounts";

export function AccountSelect({ choice }: { choice: AccountChoice }) {
  if (choice.options.length < 2 || choice.account === undefined) {
    return null;
  }
  return (
    <FormControl size="small" sx={{ minWidth: 220, alignSelf: "flex-start" }}>
      <InputLabel id="account-label">Account</InputLabel>
      <Select
        labelId="account-label"
        label="Account"
        value={choice.account.id}
        onChange={(event) => {
          choice.choose(event.target.value);
        }}
      >
        {choice.options.map((option) => (
          <MenuItem key={option.id} value={option.id}>
            {option.label}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}
