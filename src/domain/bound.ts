/** The visible mark left where a stored string was cut. */
export const TRUNCATION_MARKER = '…[truncated]';

/**
 * At most `maxChars` UTF-16 units: an over-long value keeps its start and ends with the marker, so a
 * reader sees it was cut. A surrogate pair is never split.
 */
export function boundString(value: string, maxChars: number): string {
  if (value.length <= maxChars) return value;
  let keep = Math.max(0, maxChars - TRUNCATION_MARKER.length);
  const last = value.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep -= 1;
  return value.slice(0, keep) + TRUNCATION_MARKER;
}
