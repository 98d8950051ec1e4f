import type { AlertEvent } from '../domain/alertEvent';
import { opensIncident } from '../domain/decide';
import { CHANNEL_KINDS } from '../notify/channelHealth';
import { MAX_OPEN_INCIDENTS, type Incident } from '../rules/incidents';
import type { SilenceNote } from '../storage/records';
import type { Silence } from '../status/operatorModel';
import { TOKEN_INCIDENT_KINDS } from '../subjects/tokenRules';

/**
 * Which alerts a silence holds back. Pure: the check and the notify function decide with it, once per
 * alert, when the alert is first recorded. A silence matches on the subject, the credential (when it
 * names one) and the alert kind (when it names one; a silence without a kind never holds the channel
 * alerts), while `now < until`: it ends by itself.
 */

type Matchable = Pick<AlertEvent, 'subject' | 'kind'> & { subjectId?: string | null };

export function silenceMatches(silence: Silence, alert: Matchable, now: Date): boolean {
  // A test message is how people check that a channel works: no silence may swallow it.
  if (alert.kind === 'test') return false;
  if (now.getTime() >= Date.parse(silence.until)) return false;
  if (silence.subject !== alert.subject) return false;
  if (silence.subjectId !== null && silence.subjectId !== (alert.subjectId ?? null)) return false;
  // channel_failing / channel_recovered say that alerts stopped (or resumed) arriving somewhere: only a
  // silence that names the kind holds them, never one meant for the credential's own alerts.
  if (silence.kind === null) return !CHANNEL_KINDS.includes(alert.kind);
  return silence.kind === alert.kind;
}

/** The silence that matches and lasts longest (ties: the smallest id), so the choice never depends on read order. */
export function matchingSilence(alert: Matchable, silences: readonly Silence[], now: Date): Silence | null {
  let best: Silence | null = null;
  for (const s of silences) {
    if (!silenceMatches(s, alert, now)) continue;
    if (best === null || s.until > best.until || (s.until === best.until && s.id < best.id)) best = s;
  }
  return best;
}

/**
 * The silence note of each matched alert, by alert id. An alert that opens a critical incident is never
 * held back: it is delivered and the silence is noted (`held: false`).
 */
export function silenceNotes(alerts: readonly AlertEvent[], silences: readonly Silence[], now: Date, opensCritical: (alert: AlertEvent) => boolean): Map<string, SilenceNote> {
  const notes = new Map<string, SilenceNote>();
  if (silences.length === 0) return notes;
  for (const alert of alerts) {
    const silence = matchingSilence(alert, silences, now);
    if (silence === null) continue;
    notes.set(alert.id, { id: silence.id, until: silence.until, reason: silence.reason, held: !opensCritical(alert), ...(silence.createdBy === null ? {} : { by: silence.createdBy }) });
  }
  return notes;
}

/**
 * For the check, which knows the state its decision produced: an alert opens a critical incident when
 * it is critical and an incident with its id is open in the new state (a repeated `expired` of an
 * incident already open does not: that repetition is what a silence is for). When unsure it says yes:
 * the state keeps at most MAX_OPEN_INCIDENTS, and an alert that stands for many folded ones
 * (not among `decided`) may hide an opener.
 */
export function criticalOpeners(incidents: readonly Incident[], decided: readonly AlertEvent[]): (alert: AlertEvent) => boolean {
  const opened = new Set(incidents.filter((i) => i.severity === 'critical').map((i) => i.id));
  const full = incidents.length >= MAX_OPEN_INCIDENTS;
  return (alert) => alert.severity === 'critical' && (opened.has(alert.id) || full || !decided.includes(alert));
}

/**
 * For the notify function, which sees events without the state behind them: any critical event of a kind
 * that opens an incident (for the push certificate or a token) may open one, so it always goes through.
 */
export function mayOpenCriticalIncident(event: Pick<AlertEvent, 'kind' | 'severity'>): boolean {
  return event.severity === 'critical' && (opensIncident(event.kind) || TOKEN_INCIDENT_KINDS[event.kind] !== undefined);
}
