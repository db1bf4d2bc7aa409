/**
 * Text for screen readers only: out of sight, out of the layout, still read.
 *
 * Sizes are CSS lengths on purpose: in MUI's `sx` a bare `1` is 100 %, which
 * made such a span as wide as the page and the page scroll sideways.
 */
export const VISUALLY_HIDDEN = {
  position: "absolute",
  width: "1px",
  height: "1px",
  margin: "-1px",
  padding: 0,
  border: 0,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
} as const;
