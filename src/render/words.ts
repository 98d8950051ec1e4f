/** The small words every channel and page share, so a count or a date reads the same everywhere. */

/** "1 day", "3 days", "-1 day". */
export function plural(n: number, unit: string): string {
  return `${n} ${unitWord(n, unit)}`;
}

/** The unit alone, agreeing with n: "day" for 1, "days" otherwise (for "3" printed large, "days left" beside it). */
export function unitWord(n: number, unit: string): string {
  return `${unit}${Math.abs(n) === 1 ? '' : 's'}`;
}

/** The calendar day (UTC) of an ISO instant: 2027-03-01. */
export function day(iso: string | null): string {
  return iso === null ? 'unknown date' : new Date(iso).toISOString().slice(0, 10);
}

/** At most `max` characters, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
