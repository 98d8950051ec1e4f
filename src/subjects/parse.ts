import { boundString, graphText } from '../domain/bound';

/** Strict, bounded reading of Graph JSON: what a server sends is capped before the monitor keeps it. */

export type Json = Record<string, unknown>;

export const MAX_TEXT = 1024;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Caps a string at `max` characters, marking the cut so nobody mistakes it for the whole value. */
export function bound(text: string, max = MAX_TEXT): string {
  return boundString(text, max);
}

/** A non-empty string, one clean line, bounded; anything else (absent, null, a number, blank) is null. */
export function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? graphText(v, MAX_TEXT) : null;
}

/** A whole number within Int32, as Graph's Edm.Int32; anything else is null. */
export function int32(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= -2_147_483_648 && v <= 2_147_483_647 ? v : null;
}

/** A value as it can be quoted in an error: JSON, short, never the whole of a large blob. */
export function quote(v: unknown): string {
  if (v === undefined) return 'absent';
  const json = JSON.stringify(v) ?? String(v);
  return bound(json, 80);
}
