import type { AlertKind } from '../domain/alertEvent';
import type { Severity } from '../domain/status';

/**
 * A condition a person must see through. Change alerts stay open until acknowledged; conditions
 * (`expired`, `removed`, `monitor_failing`, `token_invalid`) also close by themselves when they end.
 */
export interface Incident {
  /** The id of the alert that opened it. */
  id: string;
  kind: AlertKind;
  severity: Severity;
  openedAt: string;
  summary: string;
  /** For the push certificate's `removed`: the topic whose return closes it. */
  topicIdentifier: string | null;
  /** For a token: the Graph id of the token it is about (absent in states written before tokens). */
  subjectId?: string | null;
}

export type IncidentClosing = 'ack' | 'condition';
/** Which kinds open an incident, and whether only a person closes it. */
export type IncidentRules = Partial<Record<AlertKind, IncidentClosing>>;

/** Open incidents kept in a state; the alerts themselves stay in history. */
export const MAX_OPEN_INCIDENTS = 25;
const MAX_INCIDENT_SUMMARY = 600;

export function boundSummary(summary: string): string {
  return summary.length <= MAX_INCIDENT_SUMMARY ? summary : `${summary.slice(0, MAX_INCIDENT_SUMMARY - 13)}…[truncated]`;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** The most severe open incident's severity, or null when none is open. */
export function worstIncidentSeverity(incidents: readonly Pick<Incident, 'severity'>[]): Severity | null {
  let worst: Severity | null = null;
  for (const i of incidents) if (worst === null || SEVERITY_RANK[i.severity] > SEVERITY_RANK[worst]) worst = i.severity;
  return worst;
}

/** Closes the open incidents a person acknowledged; unknown ids are returned, the state is untouched for them. */
export function acknowledgeIncidents<S extends { incidents: Incident[] }>(state: S, ids: readonly string[] | 'all'): { next: S; closed: Incident[]; unknown: string[] } {
  const wanted = ids === 'all' ? null : new Set(ids);
  const closed = state.incidents.filter((i) => wanted === null || wanted.has(i.id));
  const unknown = wanted === null ? [] : [...wanted].filter((id) => !closed.some((i) => i.id === id));
  return { next: { ...state, incidents: state.incidents.filter((i) => !closed.includes(i)) }, closed, unknown };
}
