/**
 * The one CSV rule of every CSV this extension writes (CLI `export`, the editor's Export..., the
 * dashboard's CSV export): RFC 4180 quoting, and a cell whose text begins with = + - @ tab or carriage
 * return gets a leading single quote (OWASP's rule against formula injection), so a spreadsheet shows a
 * name like `=HYPERLINK(...)` as text instead of running it. Numbers are written as numbers.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\n\r]/;

/** One cell. null/undefined are empty; booleans are true/false; non-integers keep at most 6 decimals. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e6) / 1e6);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  const text = value instanceof Date ? value.toISOString() : String(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One line (without its line break). */
export function csvLine(values: readonly unknown[]): string {
  return values.map(csvCell).join(',');
}

/** A whole CSV text with CRLF line breaks. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `${[header, ...rows].map(csvLine).join('\r\n')}\r\n`;
}
