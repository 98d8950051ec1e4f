import { ALERT_KINDS, SUBJECT_KINDS, type AlertKind, type SubjectKind } from '../domain/alertEvent';
import type { Silence } from '../status/operatorModel';
import { parseUntil } from './until';

/**
 * A new silence as a person asks for it (`apns-monitor silence add`, POST /api/silences), checked field
 * by field. The command line and the API share this, so both refuse the same things in the same words.
 */

export type NewSilence = Omit<Silence, 'id' | 'createdAt'>;

export type SilenceField = 'subject' | 'subjectId' | 'kind' | 'until' | 'reason' | 'by';

export type SilenceInputCheck = { ok: true; silence: NewSilence } | { ok: false; field: SilenceField; problem: string };

export interface SilenceRequest {
  subject?: unknown;
  subjectId?: unknown;
  kind?: unknown;
  until?: unknown;
  reason?: unknown;
  by?: unknown;
}

export const MAX_SILENCE_REASON = 500;
export const MAX_SILENCE_BY = 200;
export const MAX_SUBJECT_ID = 200;
/** Apple credentials last a year: a longer silence would outlive the renewal it was meant to bridge. */
export const MAX_SILENCE_DAYS = 366;

/** Kinds a silence may name: every alert kind but `test`, which is never silenced. */
export const SILENCEABLE_KINDS: readonly AlertKind[] = ALERT_KINDS.filter((k) => k !== 'test');

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function oneLine(value: unknown, field: SilenceField, max: number, required: boolean): { ok: true; text: string | null } | { ok: false; field: SilenceField; problem: string } {
  if (value === undefined || value === null) return required ? { ok: false, field, problem: 'is required: say why (it is shown with the silence)' } : { ok: true, text: null };
  if (typeof value !== 'string') return { ok: false, field, problem: 'must be a string' };
  // Text shown on one line of a table and the dashboard: line breaks and control characters become spaces.
  const text = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  if (/\p{Cs}/u.test(text)) return { ok: false, field, problem: 'is not well-formed Unicode (it has a lone surrogate)' };
  if (text === '') return required ? { ok: false, field, problem: 'is required: say why (it is shown with the silence)' } : { ok: true, text: null };
  if (text.length > max) return { ok: false, field, problem: `must have at most ${max} characters` };
  return { ok: true, text };
}

export function checkSilenceInput(request: SilenceRequest, now: Date, timeZone: string | null): SilenceInputCheck {
  const { subject, subjectId, kind, until, reason, by } = request;
  if (subject === undefined || subject === null) return { ok: false, field: 'subject', problem: `is required: one of ${SUBJECT_KINDS.join(', ')}` };
  if (typeof subject !== 'string' || !(SUBJECT_KINDS as readonly string[]).includes(subject)) {
    return { ok: false, field: 'subject', problem: `must be one of ${SUBJECT_KINDS.join(', ')}${typeof subject === 'string' ? `, not "${subject.slice(0, 40).replace(CONTROL, ' ')}"` : ''}` };
  }
  let id: string | null = null;
  if (subjectId !== undefined && subjectId !== null) {
    if (typeof subjectId !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(subjectId)) return { ok: false, field: 'subjectId', problem: `must be the credential's id: 1 to ${MAX_SUBJECT_ID} printable ASCII characters without spaces` };
    // There is one push certificate per tenant: an id could only ever fail to match.
    if (subject === 'apns') return { ok: false, field: 'subjectId', problem: 'does not apply to apns (there is one push certificate per tenant): silence apns without an id' };
    id = subjectId;
  }
  let alertKind: AlertKind | null = null;
  if (kind !== undefined && kind !== null) {
    if (typeof kind !== 'string' || !(SILENCEABLE_KINDS as readonly string[]).includes(kind)) {
      return { ok: false, field: 'kind', problem: `must be one of ${SILENCEABLE_KINDS.join(', ')}${kind === 'test' ? ' (test messages are never silenced)' : ''}` };
    }
    alertKind = kind as AlertKind;
    // The channel alerts are raised about the monitor itself, under subject apns: any other subject would never match.
    if ((alertKind === 'channel_failing' || alertKind === 'channel_recovered') && subject !== 'apns') {
      return { ok: false, field: 'kind', problem: `${alertKind} alerts are about the monitor's channels and carry subject apns: silence them with subject apns` };
    }
  }
  if (typeof until !== 'string') return { ok: false, field: 'until', problem: until === undefined || until === null ? 'is required: a date (the end of that day) or a date-time with an offset' : 'must be a string' };
  const end = parseUntil(until, timeZone, now);
  if (!end.ok) return { ok: false, field: 'until', problem: end.problem };
  if (end.until.getTime() - now.getTime() > MAX_SILENCE_DAYS * 86_400_000) return { ok: false, field: 'until', problem: `is more than ${MAX_SILENCE_DAYS} days ahead: a silence that long would outlive the credential's renewal` };
  const why = oneLine(reason, 'reason', MAX_SILENCE_REASON, true);
  if (!why.ok) return why;
  const who = oneLine(by, 'by', MAX_SILENCE_BY, false);
  if (!who.ok) return who;
  return { ok: true, silence: { subject: subject as SubjectKind, subjectId: id, kind: alertKind, until: end.until.toISOString(), reason: why.text!, createdBy: who.text } };
}

/** `KIND[:ID]` of the command line: the subject and, after the first colon, one credential's id. */
export function splitSubject(text: string): { subject: string; subjectId: string | null } {
  const colon = text.indexOf(':');
  return colon < 0 ? { subject: text, subjectId: null } : { subject: text.slice(0, colon), subjectId: text.slice(colon + 1) };
}
