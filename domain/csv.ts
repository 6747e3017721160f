/**
 * Writing CSV (RFC 4180) that spreadsheets open safely. Every CSV the system writes builds its
 * cells here, so none can smuggle in a formula (CSV injection, OWASP): a text cell starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return would be run by Excel or LibreOffice, so it is
 * prefixed with a single quote and quoted. A number is written as a number (`-3.5` stays one);
 * only text is neutralized.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export type CsvValue = string | number | boolean | null | undefined;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const formula = FORMULA_START.test(value);
  const text = formula ? `'${value}` : value;
  return formula || NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line of cells, without its line end. */
export const csvRow = (cells: readonly CsvValue[]): string => cells.map(csvCell).join(',');
