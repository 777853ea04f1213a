/** Human tables and machine JSON for the CLI. */
import { formatIsoInZone } from '../common/zonedTime';

/** JSON with instants as ISO 8601 with the display zone's offset (DESIGN section 5). */
export function toJson(value: unknown, zone: string): string {
  return JSON.stringify(
    value,
    function replacer(this: Record<string, unknown>, key: string, v: unknown) {
      const original = this[key];
      if (original instanceof Date) return formatIsoInZone(original, zone);
      if (typeof v === 'bigint') return v.toString();
      return v;
    },
    2,
  );
}

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

export const fmt = {
  int: (n: number | null | undefined): string => (n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US')),
  pct: (f: number | null | undefined): string => (f === null || f === undefined ? '-' : `${(f * 100).toFixed(f >= 0.995 || f === 0 ? 0 : 1)}%`),
  num: (n: number | null | undefined, digits = 1): string => (n === null || n === undefined ? '-' : n.toFixed(digits)),
  seconds: (s: number | null | undefined): string => {
    if (s === null || s === undefined || !Number.isFinite(s)) return '-';
    if (s < 1) return `${(s * 1000).toFixed(0)} ms`;
    if (s < 120) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
    if (s < 7200) return `${(s / 60).toFixed(1)} min`;
    return `${(s / 3600).toFixed(1)} h`;
  },
  date: (d: Date | null | undefined, zone: string): string => (d ? formatIsoInZone(d, zone).slice(0, 16).replace('T', ' ') : '-'),
};
