import type { AlertEvent, PreviousValues } from './alertEvent';
import schema from './alert-event.schema.json';
import { plural } from '../render/words';

/**
 * Checks a value against the alert-event schema (the subset of JSON Schema it uses), naming the
 * first field that is wrong. The schema file is the single definition of the event; the limits that
 * JSON Schema cannot say (nesting, Unicode, the stored size) are the constants below.
 */

interface Rule {
  type?: string | string[];
  enum?: string[];
  required?: string[];
  properties?: Record<string, Rule>;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
  /** Arrays (device-certificate groups and samples): each item's rule, and how many at most. */
  items?: Rule;
  maxItems?: number;
}

export type Validation = { ok: true; event: AlertEvent } | { ok: false; field: string; problem: string };

/** Deeper JSON than this is refused before anything walks it recursively (JSON.stringify would overflow the stack). */
export const MAX_JSON_DEPTH = 32;

/**
 * The stored event is one Table Storage string property: at most 32K UTF-16 code units (64 KiB).
 * A margin is left so an event that fits here always fits there.
 */
export const MAX_EVENT_JSON_CHARS = 32_000;

/** A UTF-16 code unit of a surrogate pair standing alone: not Unicode, and Table keys and URLs cannot encode it. */
const LONE_SURROGATE = /\p{Cs}/u;

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** An ISO 8601 date-time with offset whose every part exists (no 30 February, no hour 24). */
function isDateTime(text: string): boolean {
  const m = ISO_DATE_TIME.exec(text);
  if (m === null) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m.slice(1).map((p) => (p === undefined ? 0 : Number(p)));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth && hour! <= 23 && minute! <= 59 && second! <= 59 && offsetHours! <= 23 && offsetMinutes! <= 59;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/** A field path fit for an error message: well-formed and short. */
function shown(path: string): string {
  const text = path.replace(/\p{Cs}/gu, '\uFFFD');
  return text.length <= 200 ? text : `${text.slice(0, 199)}…`;
}

/**
 * Walks the parsed body without recursion: refuses nesting deeper than MAX_JSON_DEPTH and any string
 * or key that is not well-formed Unicode, naming where.
 */
function checkShape(body: unknown): { field: string; problem: string } | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: body, path: '', depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path, depth } = item;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return { field: shown(path), problem: 'is not well-formed Unicode (it has a lone surrogate)' };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_JSON_DEPTH) return { field: shown(path), problem: `is nested deeper than ${MAX_JSON_DEPTH} levels` };
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const [name, v] of Object.entries(value)) {
      if (LONE_SURROGATE.test(name)) return { field: shown(join(path, name)), problem: 'is a name that is not well-formed Unicode (it has a lone surrogate)' };
      stack.push({ value: v, path: join(path, name), depth: depth + 1 });
    }
  }
  return null;
}

function check(rule: Rule, v: unknown, path: string): { field: string; problem: string } | null {
  if (rule.type !== undefined) {
    const allowed = Array.isArray(rule.type) ? rule.type : [rule.type];
    const actual = typeOf(v);
    if (!allowed.includes(actual) && !(actual === 'integer' && allowed.includes('number'))) {
      return { field: path, problem: `must be ${allowed.join(' or ')}, not ${actual}` };
    }
  }
  if (rule.enum !== undefined && !rule.enum.includes(v as string)) return { field: path, problem: `must be one of ${rule.enum.join(', ')}` };
  if (typeof v === 'string') {
    if (rule.minLength !== undefined && v.length < rule.minLength) return { field: path, problem: `must have at least ${plural(rule.minLength, 'character')}` };
    if (rule.maxLength !== undefined && v.length > rule.maxLength) return { field: path, problem: `must have at most ${plural(rule.maxLength, 'character')}` };
    if (rule.pattern !== undefined && !new RegExp(rule.pattern, 'u').test(v)) return { field: path, problem: 'has characters that are not allowed' };
    if (rule.format === 'date-time' && !isDateTime(v)) return { field: path, problem: 'must be an ISO 8601 date-time with an offset (e.g. 2027-03-01T09:00:00Z)' };
  }
  if (typeof v === 'number') {
    if (rule.minimum !== undefined && v < rule.minimum) return { field: path, problem: `must be at least ${rule.minimum}` };
    if (rule.maximum !== undefined && v > rule.maximum) return { field: path, problem: `must be at most ${rule.maximum}` };
  }
  if (Array.isArray(v)) {
    if (rule.maxItems !== undefined && v.length > rule.maxItems) return { field: path, problem: `must have at most ${rule.maxItems} items` };
    if (rule.items !== undefined) {
      for (const [i, item] of v.entries()) {
        const found = check(rule.items, item, `${path}[${i}]`);
        if (found !== null) return found;
      }
    }
  }
  if (typeOf(v) === 'object') {
    const obj = v as Record<string, unknown>;
    for (const name of rule.required ?? []) if (!Object.hasOwn(obj, name)) return { field: join(path, name), problem: 'is required' };
    for (const [name, sub] of Object.entries(rule.properties ?? {})) {
      if (Object.hasOwn(obj, name)) {
        const found = check(sub, obj[name], join(path, name));
        if (found !== null) return found;
      }
    }
  }
  return null;
}

/** The schema's fields only, each absent one as null: every channel sees the full shape and nothing else. */
function pick<T>(rule: Rule, obj: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(rule.properties ?? {})) out[name] = Object.hasOwn(obj, name) ? obj[name] : null;
  return out as T;
}

function build(obj: Record<string, unknown>): AlertEvent {
  const event = pick<AlertEvent>(schema as Rule, obj);
  const previous = event.previous as unknown;
  // Present but partial: the missing values are null too (a channel reads every one of them).
  if (previous !== null) event.previous = pick<PreviousValues>((schema as Rule).properties!['previous']!, previous as Record<string, unknown>);
  // Lists of objects keep only their items' own fields, as the event keeps only its own.
  for (const name of ['groups', 'sample'] as const) {
    const list = event[name] as unknown;
    const itemRule = (schema as Rule).properties![name]!.items!;
    if (Array.isArray(list)) (event as unknown as Record<string, unknown>)[name] = list.map((item: Record<string, unknown>) => pick(itemRule, item));
  }
  return event;
}

/** The field that takes the most room once stored, to name when the whole event is too large. */
function largestField(event: AlertEvent): string {
  let largest = '';
  let size = -1;
  for (const [name, value] of Object.entries(event)) {
    const length = JSON.stringify(value).length;
    if (length > size) [largest, size] = [name, length];
  }
  return largest;
}

/**
 * Validates a parsed request body as one alert event. Only the schema's fields are kept (anything
 * else, `__proto__` included, is dropped), absent nullable fields become null, and an event that
 * could not be stored or delivered is refused here, naming the field.
 */
export function validateAlertEvent(value: unknown): Validation {
  if (typeOf(value) !== 'object') return { ok: false, field: '(body)', problem: 'must be a JSON object' };
  const shape = checkShape(value);
  if (shape !== null) return { ok: false, ...shape };
  const problem = check(schema as Rule, value, '');
  if (problem !== null) return { ok: false, ...problem };
  const event = build(value as Record<string, unknown>);
  const stored = JSON.stringify(event).length;
  if (stored > MAX_EVENT_JSON_CHARS) {
    return { ok: false, field: largestField(event), problem: `is too long: the event would take ${stored} characters stored, over the ${MAX_EVENT_JSON_CHARS} one Table Storage property holds` };
  }
  return { ok: true, event };
}
