/**
 * RFC 4180 CSV for analysts' spreadsheets: UTF-8 with a BOM (so Excel reads Chinese correctly), CRLF rows, and
 * cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) prefixed with a quote mark, since feed text
 * is untrusted.
 * @example toCsv(["标题"], [["=1+1"]]) === "\uFEFF标题\r\n'=1+1\r\n"
 */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const cell = (value: string | number | null | undefined): string => {
    let text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `\uFEFF${[header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`;
}
