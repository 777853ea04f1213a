/** Human tables for the CLI (figures are formatted by src/common/format.ts, JSON by its toJson). */

export type Align = 'left' | 'right';

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: Align;
}

// C0 controls (ESC, BEL, backspace, CR, ...), DEL, C1 controls (incl. the 8-bit CSI/OSC) and the bidirectional
// overrides that reorder text on screen.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (c === '\r') return '\\r';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Text from input files (skill names, paths, messages) as a terminal shows it safely: control characters
 * are written as visible escapes (ESC as \u001b, a newline as \n), so a name cannot clear the screen, set
 * the window title or split a table row. `keepNewlines`: for whole human outputs, whose own lines stay.
 */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(keepNewlines ? CONTROL_BUT_NEWLINE : CONTROL, escapeChar);
}

/** A plain-text table sized to its content; cells show control characters escaped (printable). */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => printable(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
