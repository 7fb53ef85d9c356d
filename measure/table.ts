// Prints rows as an aligned text table, numbers right-aligned: the bench's figures and the
// lab's comparison use this one table and these number formats.
export type Cell = string | number;

export function formatTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) =>
    row.map((cell) => (typeof cell === "number" ? formatNumber(cell) : cell)),
  );
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...text.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: string[], numeric: boolean[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ");
  const numeric = headers.map((_, i) => rows.some((row) => typeof row[i] === "number"));
  return [
    line(headers, numeric),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...text.map((row) => line(row, numeric)),
  ].join("\n");
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "-";
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** "55.2x"; two significant figures below 1, so a 50-fold drop reads 0.019x, not 0.02x. */
export function formatRatio(value: number): string {
  if (!Number.isFinite(value)) return "-";
  return `${value < 1 ? value.toPrecision(2) : formatNumber(value)}x`;
}
