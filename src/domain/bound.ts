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

/**
 * Text from Graph as the monitor keeps it: one line of well-formed Unicode. Control characters, line
 * and paragraph separators and lone surrogates become spaces; they would break plugin lines, headers,
 * metrics labels and (in Azurite) Table batches, and no name or Apple ID needs them. Then bounded.
 */
export function graphText(value: string, maxChars: number): string {
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, ' ');
  return boundString(clean, maxChars);
}
