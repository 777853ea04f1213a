/** Time-zone helpers shared by ingest, analytics and their callers. */

/** This machine's IANA time zone (what "local time" means for a writer on this machine). */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** True when `zone` is an IANA zone name (or UTC) that Intl and DuckDB's ICU both understand. */
export function isValidTimeZone(zone: string): boolean {
  if (!/^[A-Za-z0-9_+\-/]+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Resolves a configured zone: empty or "local" means this machine's zone. Throws on an unknown zone. */
export function resolveTimeZone(configured: string | undefined, what: string): string {
  const zone = configured?.trim();
  if (!zone || zone.toLowerCase() === 'local') return machineTimeZone();
  if (!isValidTimeZone(zone)) throw new Error(`Unknown time zone for ${what}: "${zone}" (use an IANA name such as Europe/Berlin, or UTC)`);
  return zone;
}
