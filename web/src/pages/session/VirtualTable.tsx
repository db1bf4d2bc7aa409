/**
 * A table whose body renders only the rows in view (with spacer rows above
 * and below), so thousands of orders or fills scroll smoothly.
 */
import { Box, Table, TableBody, TableCell, TableHead, TableRow } from "@mui/material";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useRef } from "react";

export interface Column<T> {
  key: string;
  label: string;
  align?: "left" | "right";
  /** Long text: cut with an ellipsis, whole on hover (rows keep one height). */
  long?: boolean;
  render: (row: T) => ReactNode;
}

const ROW_HEIGHT = 37;

function textOf(node: ReactNode): string | undefined {
  return typeof node === "string" || typeof node === "number" ? String(node) : undefined;
}
/** Up to this many rows are all rendered: virtualizing a short list buys nothing. */
const PLAIN_UP_TO = 50;

export function VirtualTable<T>({
  rows,
  columns,
  rowKey,
  label,
  maxHeight = 360,
}: {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  label: string;
  maxHeight?: number;
}) {
  const scroller = useRef<HTMLDivElement>(null);
   
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    // jsdom and the first paint have no layout: assume a viewport of this size.
    initialRect: { width: 800, height: maxHeight },
  });
  const plain = rows.length <= PLAIN_UP_TO;
  const items = plain
    ? rows.map((_, index) => ({ index, start: index * ROW_HEIGHT, end: (index + 1) * ROW_HEIGHT }))
    : virtualizer.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = plain ? 0 : virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  return (
    <Box ref={scroller} sx={{ maxHeight, overflow: "auto" }}>
      <Table size="small" stickyHeader aria-label={label} aria-rowcount={rows.length + 1}>
        <TableHead>
          <TableRow>
            {columns.map((column) => (
              <TableCell key={column.key} align={column.align ?? "left"}>
                {column.label}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {before > 0 && (
            <TableRow aria-hidden>
              <TableCell colSpan={columns.length} sx={{ height: before, p: 0, border: 0 }} />
            </TableRow>
          )}
          {items.map((item) => {
            const row = rows[item.index];
            if (row === undefined) {
              return null;
            }
            return (
              <TableRow key={rowKey(row)} hover aria-rowindex={item.index + 2} sx={{ height: ROW_HEIGHT }}>
                {columns.map((column) => (
                  <TableCell key={column.key} align={column.align ?? "left"} title={column.long === true ? textOf(column.render(row)) : undefined}
                    sx={{
                      whiteSpace: "nowrap",
                      ...(column.long === true ? { maxWidth: 260, overflow: "hidden", textOverflow: "ellipsis" } : {}),
                    }}>
                    {column.render(row)}
                  </TableCell>
                ))}
              </TableRow>
            );
          })}
          {after > 0 && (
            <TableRow aria-hidden>
              <TableCell colSpan={columns.length} sx={{ height: after, p: 0, border: 0 }} />
            </TableRow>
          )}
        </TableBody>
      </Table>
    </Box>
  );
}
