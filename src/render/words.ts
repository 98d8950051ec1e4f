/** The small words every channel and page share, so a count or a date reads the same everywhere. */

/** "1 day", "3 days", "-1 day". */
export function plural(n: number, unit: string): string {
  return `${n} ${unit}${Math.abs(n) === 1 ? '' : 's'}`;
}

/** The calendar day (UTC) of an ISO instant: 2027-03-01. */
export function day(iso: string | null): string {
  return iso === null ? 'unknown date' : new Date(iso).toISOString().slice(0, 10);
}
