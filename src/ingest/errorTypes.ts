/**
 * Normalises free-text errors (FORMATS.md B11: writers store class names, but also whole exception
 * messages with paths and numbers) into a short, low-cardinality `error_type`. The raw text is kept
 * beside it (`error_raw`); only the normalised form is used to group.
 */

const MAX_LENGTH = 80;
const EXCEPTION_NAME = /^([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*(?:Error|Exception|Exit|Interrupt|Warning|Timeout|Failure|Fault))\b/;
const IDENTIFIER_ONLY = /^[A-Za-z_][\w.-]*$/;

const cache = new Map<string, string | null>();

/** The short form of an error text; results are cached (errors repeat a lot across records). */
export function normaliseErrorType(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const cached = cache.get(raw);
  if (cached !== undefined) return cached;
  const result = normalise(raw);
  if (cache.size > 10_000) cache.clear();
  cache.set(raw, result);
  return result;
}

function normalise(raw: string): string | null {
  const firstLine = raw.trim().split(/\r?\n/, 1)[0]!.trim();
  if (firstLine === '') return null;
  // "ValueError: invalid literal ..." or "builtins.ValueError(...)" -> "ValueError"
  const exception = EXCEPTION_NAME.exec(firstLine);
  if (exception) return lastSegment(exception[1]!);
  if (IDENTIFIER_ONLY.test(firstLine) && firstLine.length <= MAX_LENGTH) return firstLine; // "timeout", "lint-failed"
  // Free text: the part before the first colon, with paths, quoted values and numbers masked.
  const head = firstLine.split(':', 1)[0]!;
  const masked = head
    .replace(/(?:[A-Za-z]:)?(?:[\\/][\w.@~-]+){2,}[\\/]?/g, '<path>')
    .replace(/(["'`]).*?\1/g, '<value>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<n>')
    .replace(/\b\d+(?:\.\d+)?\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
  if (masked === '') return 'error';
  return masked.length > MAX_LENGTH ? `${masked.slice(0, MAX_LENGTH - 1)}…` : masked;
}

function lastSegment(dotted: string): string {
  const parts = dotted.split('.');
  return parts[parts.length - 1]!;
}
