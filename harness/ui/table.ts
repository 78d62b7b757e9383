const useColor = (stream: NodeJS.WriteStream) => Boolean(stream.isTTY) && !process.env.NO_COLOR;

const CODES = { green: 32, red: 31, yellow: 33, dim: 2, bold: 1, cyan: 36 } as const;
export type Color = keyof typeof CODES;

export function paint(stream: NodeJS.WriteStream, color: Color, text: string): string {
  return useColor(stream) ? `\x1b[${CODES[color]}m${text}\x1b[0m` : text;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes to measure width
const visibleLength = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "").length;

/** A plain-text table with a header row; cells may carry colour codes. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column] ?? ""))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + " ".repeat((widths[column] ?? 0) - visibleLength(cell))))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "─".repeat(width))), ...rows.map(line)].join("\n");
}
