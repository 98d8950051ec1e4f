import type { AlertEvent } from './alertEvent';
import schema from './alert-event.schema.json';

/**
 * Checks a value against docs' alert-event schema (the subset of JSON Schema it uses), naming the
 * first field that is wrong. The schema file is the single definition of the event.
 */

interface Rule {
  type?: string | string[];
  enum?: string[];
  required?: string[];
  properties?: Record<string, Rule>;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
}

export type Validation = { ok: true; event: AlertEvent } | { ok: false; field: string; problem: string };

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
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
    if (rule.minLength !== undefined && v.length < rule.minLength) return { field: path, problem: `must have at least ${rule.minLength} character(s)` };
    if (rule.maxLength !== undefined && v.length > rule.maxLength) return { field: path, problem: `must have at most ${rule.maxLength} characters` };
    if (rule.pattern !== undefined && !new RegExp(rule.pattern, 'u').test(v)) return { field: path, problem: 'has characters that are not allowed' };
    if (rule.format === 'date-time' && (!ISO_DATE_TIME.test(v) || Number.isNaN(Date.parse(v)))) return { field: path, problem: 'must be an ISO 8601 date-time' };
  }
  if (typeOf(v) === 'object') {
    const obj = v as Record<string, unknown>;
    for (const name of rule.required ?? []) if (!(name in obj)) return { field: path === '' ? name : `${path}.${name}`, problem: 'is required' };
    for (const [name, sub] of Object.entries(rule.properties ?? {})) {
      if (name in obj) {
        const found = check(sub, obj[name], path === '' ? name : `${path}.${name}`);
        if (found !== null) return found;
      }
    }
  }
  return null;
}

export function validateAlertEvent(value: unknown): Validation {
  if (typeOf(value) !== 'object') return { ok: false, field: '(body)', problem: 'must be a JSON object' };
  const problem = check(schema as Rule, value, '');
  if (problem !== null) return { ok: false, ...problem };
  const obj = value as Record<string, unknown>;
  // Optional fields default to null so every channel sees the full shape.
  const event = {
    certificateSerialNumber: null,
    graceEndsDateTime: null,
    graceDaysRemaining: null,
    previous: null,
    error: null,
    ...obj,
  } as AlertEvent;
  return { ok: true, event };
}
