// RFC 4180 CSV: a header row, then one line per row; cells with a comma,
// quote or line break are quoted, quotes doubled. Absent values are empty.
export function toCsv(columns: readonly string[], rows: ReadonlyArray<Partial<Record<string, string | number | boolean>>>): string {
  const cell = (value: string | number | boolean | undefined): string => {
    const text = value === undefined ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.map(cell).join(','), ...rows.map((row) => columns.map((column) => cell(row[column])).join(','))].join('\r\n') + '\r\n';
}
