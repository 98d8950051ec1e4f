/**
 * A value too long for one Table property, spread over several: a string property holds at most 64 KiB
 * (32K UTF-16 characters), an entity 1 MiB. `name` holds the first chunk, `name_1`, `name_2`, … the
 * rest, and `name_chunks` how many there are, so a shorter value written later (with Merge) is never
 * read together with the stale tail of a longer one.
 */

export const CHUNK_CHARS = 30_000;
/** Chunks per value: with two values per row, well inside the 1 MiB entity limit. */
export const MAX_CHUNKS = 7;

export class ValueTooLarge extends Error {}

export function toChunks(name: string, json: string): Record<string, string | number> {
  const count = Math.max(1, Math.ceil(json.length / CHUNK_CHARS));
  if (count > MAX_CHUNKS) throw new ValueTooLarge(`${name} is ${json.length} characters, more than one Table row holds (${MAX_CHUNKS * CHUNK_CHARS})`);
  const columns: Record<string, string | number> = { [`${name}_chunks`]: count };
  for (let i = 0; i < count; i++) columns[i === 0 ? name : `${name}_${i}`] = json.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
  return columns;
}

export function fromChunks(entity: Record<string, unknown>, name: string): string | undefined {
  const first = entity[name];
  if (typeof first !== 'string') return undefined;
  const count = typeof entity[`${name}_chunks`] === 'number' ? (entity[`${name}_chunks`] as number) : 1;
  let json = first;
  for (let i = 1; i < count; i++) {
    const part = entity[`${name}_${i}`];
    if (typeof part !== 'string') return undefined;
    json += part;
  }
  return json;
}
