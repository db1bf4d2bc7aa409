import { Alert, type SxProps, type Theme } from "@mui/material";

/**
 * A failed request in the server's words, after `prefix` when it needs
 * saying what failed; `onClose` (a mutation's reset) lets it be dismissed.
 * Nothing while there is no error.
 */
export function RequestError({
  error,
  prefix,
  onClose,
  sx,
}: {
  error: Error | null;
  prefix?: string;
  onClose?: () => void;
  sx?: SxProps<Theme>;
}) {
  if (error === null) {
    return null;
  }
  return (
    <Alert severity="error" role="alert" onClose={onClose} sx={sx}>
      {prefix}
      {error.message}
    </Alert>
  );
}
