import { SUBJECT_KINDS, type AlertKind, type SubjectKind } from '../domain/alertEvent';
import type { Severity } from '../domain/status';
import { boundSummary, MAX_OPEN_INCIDENTS, type Incident, type IncidentRules } from './incidents';

/**
 * An alert id names one occurrence: the subject kind, the alert kind, the state's epoch and its running
 * number. A condition that comes back (a flap) is a new occurrence with a new id; a run retried from the
 * same state raises the same ids, so a retry is recognised as the same occurrence downstream.
 */
export function occurrenceId(subject: string, kind: AlertKind, epoch: string, sequence: number): string {
  return `${subject}-${kind}-${epoch}-${String(sequence).padStart(6, '0')}`;
}

/** Which subject's state holds an alert id (and its incident): the id starts with the subject kind. */
export function subjectOfAlertId(id: string): SubjectKind | null {
  return SUBJECT_KINDS.find((s) => id.startsWith(`${s}-`)) ?? null;
}

/** The epoch a state gets when it has none: the caller's fresh random value, or a fixed one for tests. */
export const FALLBACK_EPOCH = '00000000';

export interface OccurrenceState {
  /**
   * Names this state's lifetime in alert ids. A state that is lost and started afresh gets a new one,
   * so its alerts can never collide with the rows of an earlier life.
   */
  epoch: string | null;
  /** How many alerts this state has raised: each occurrence gets the next number in its id. */
  sequence: number;
  /** Open incidents, oldest first. */
  incidents: Incident[];
}

export interface Raised {
  id: string;
  kind: AlertKind;
  severity: Severity;
  summary: string;
}

/**
 * Numbers the occurrences of one decision and keeps the incidents they open. Used for the length of one
 * pure decision; `state` is what the caller persists together with the alerts.
 */
export class OccurrenceLedger {
  readonly epoch: string;
  private sequence: number;
  private incidents: Incident[];

  constructor(
    private readonly subject: string,
    start: OccurrenceState,
    newEpoch: string | undefined,
    private readonly rules: IncidentRules,
  ) {
    this.epoch = start.epoch ?? newEpoch ?? FALLBACK_EPOCH;
    this.sequence = start.sequence;
    this.incidents = [...start.incidents];
  }

  /**
   * Allocates the next id and opens the incident the kind calls for. An open condition incident of the
   * same kind about the same subject is the same problem still going on: it is not opened twice.
   */
  raise(kind: AlertKind, severity: Severity, summary: string, openedAt: string, about: { topicIdentifier?: string | null; subjectId?: string | null } = {}): string {
    this.sequence += 1;
    const id = occurrenceId(this.subject, kind, this.epoch, this.sequence);
    const closing = this.rules[kind];
    const subjectId = about.subjectId ?? null;
    const alreadyOpen = closing === 'condition' && this.incidents.some((i) => i.kind === kind && (i.subjectId ?? null) === subjectId);
    if (closing !== undefined && !alreadyOpen) {
      const incident: Incident = { id, kind, severity, openedAt, summary: boundSummary(summary), topicIdentifier: about.topicIdentifier ?? null };
      if (about.subjectId !== undefined) incident.subjectId = about.subjectId;
      this.incidents.push(incident);
      // The state is one Table entity: a flapping condition nobody acknowledges must not outgrow it.
      if (this.incidents.length > MAX_OPEN_INCIDENTS) this.incidents = this.incidents.slice(-MAX_OPEN_INCIDENTS);
    }
    return id;
  }

  /** Closes the open incidents of a kind whose condition has ended. */
  close(kind: AlertKind, when: (i: Incident) => boolean = () => true): void {
    this.incidents = this.incidents.filter((i) => i.kind !== kind || !when(i));
  }

  get state(): { epoch: string; sequence: number; incidents: Incident[] } {
    return { epoch: this.epoch, sequence: this.sequence, incidents: this.incidents };
  }
}
