import type { AlertEvent } from '../../domain/alertEvent';
import type { HistoryEntry, SilenceNote } from '../../storage/records';
import { capital, esc, plural, timeHtml, words } from './format';
import { SEVERITY_LABEL, pill } from './status';

/**
 * The alert timeline, newest first. The same alert raised check after check (an expired
 * certificate is reported on every run) collapses into one line with a count and the span it
 * covers, so a week of `expired` is one line, not thirteen paragraphs.
 */

export type TimelineItem =
  | { type: 'alerts'; newest: AlertEvent; oldestAt: string; count: number; silence: SilenceNote | null }
  | { type: 'other'; entry: Exclude<HistoryEntry, { type: 'check' } | { type: 'alert' }> };

/** The same alert again: same kind, credential, severity and threshold (crossing 7 then 3 days are two alerts). */
const sameSeries = (a: AlertEvent, b: AlertEvent) =>
  a.kind === b.kind && a.subject === b.subject && a.subjectId === b.subjectId && a.severity === b.severity && (a.thresholdDays ?? null) === (b.thresholdDays ?? null);

/** Held back by a silence or not, and by which: a held alert and a sent one never share a line. */
const sameSilence = (a: SilenceNote | null, b: SilenceNote | null) => (a?.held ?? false) === (b?.held ?? false) && (a?.id ?? null) === (b?.id ?? null);

/** Groups consecutive equal alerts (checks between them do not break a run; anything else does). */
export function collapse(history: readonly HistoryEntry[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  let open: Extract<TimelineItem, { type: 'alerts' }> | null = null;
  for (const h of history) {
    if (h.type === 'check') continue;
    if (h.type === 'alert') {
      const silence = h.silence ?? null;
      if (open !== null && sameSeries(open.newest, h.alert) && sameSilence(open.silence, silence)) {
        open.count += 1;
        open.oldestAt = h.alert.occurredAt;
        continue;
      }
      open = { type: 'alerts', newest: h.alert, oldestAt: h.alert.occurredAt, count: 1, silence };
      items.push(open);
      continue;
    }
    open = null;
    items.push({ type: 'other', entry: h });
  }
  return items;
}

/** At most this many lines: the page is for today, `/api/history` and the CLI hold the rest. */
export const TIMELINE_LINES = 50;

/**
 * What a silence did to the alert: held back (recorded, never sent, so it must not read as delivered),
 * or matched an alert that opens a critical incident, which went out anyway.
 */
function silenceLine(note: SilenceNote | null, zone: string | null): { pill: string; text: string } {
  if (note === null) return { pill: '', text: '' };
  const by = note.by === undefined ? '' : ` by ${esc(note.by)}`;
  if (note.held) {
    return {
      // ⊘ rather than the neutral tone's ?: nothing is unknown about a held alert.
      pill: ` ${pill('neutral', 'Silenced: not sent', '⊘')}`,
      text: `<p class="muted" data-testid="silenced">Silenced${by} until ${timeHtml(note.until, zone)} (${esc(note.reason)}): recorded here, sent on no channel, and not sent when the silence ends.</p>`,
    };
  }
  return { pill: '', text: `<p class="muted" data-testid="silence-overridden">A silence${by} (${esc(note.reason)}) matched, but this alert opens a critical incident: it was sent anyway.</p>` };
}

function line(item: TimelineItem, zone: string | null): string {
  if (item.type === 'alerts') {
    const a = item.newest;
    const repeat =
      item.count === 1
        ? ''
        : ` <span class="count" data-testid="repeat">×${item.count}</span> <span class="muted">${esc(plural(item.count, 'time'))} since ${timeHtml(item.oldestAt, zone)}</span>`;
    const who = a.subject === 'apns' ? '' : ` <span class="muted">${esc(a.subjectName ?? a.subjectId ?? '')}</span>`;
    const silenced = silenceLine(item.silence, zone);
    return `<li${item.silence?.held === true ? ' class="silenced"' : ''}>${timeHtml(a.occurredAt, zone)} ${pill(a.severity === 'info' ? 'info' : a.severity, SEVERITY_LABEL[a.severity])}${silenced.pill} <strong>${esc(capital(words(a.kind)))}</strong>${who}${repeat}<p>${esc(a.summary)}</p>${silenced.text}</li>`;
  }
  const h = item.entry;
  switch (h.type) {
    case 'ack':
      return `<li class="ack">${timeHtml(h.ack.at, zone)} <strong>Acknowledged</strong> ${esc(h.ack.kinds.map(words).join(', '))}${h.ack.by === null ? '' : ` by ${esc(h.ack.by)}`}${h.ack.note === null ? '' : `<p>${esc(h.ack.note)}</p>`}</li>`;
    case 'renewal':
      return `<li class="renewal">${timeHtml(h.at, zone)} ${pill('ok', 'Renewal')} <strong>Uploaded</strong> through the renewal assistant<p>The uploaded certificate expires ${timeHtml(h.renewal.uploaded.expirationDateTime, zone)}.</p></li>`;
    case 'delivery_failed':
      return `<li>${timeHtml(h.failure.at, zone)} <strong>Delivery failed</strong> on ${esc(h.failure.channel)}<p>${esc(h.failure.detail ?? 'no detail')}</p></li>`;
  }
}

export function renderTimeline(history: readonly HistoryEntry[], zone: string | null): string {
  const items = collapse(history);
  if (items.length === 0) return '<p>No alert has been raised.</p>';
  const shown = items.slice(0, TIMELINE_LINES);
  const out: string[] = new Array<string>(shown.length);
  for (let i = 0; i < shown.length; i++) out[i] = line(shown[i]!, zone);
  const more = items.length - shown.length;
  return `<ol class="timeline" data-testid="timeline">\n${out.join('\n')}\n</ol>${more > 0 ? `<p class="muted">${esc(plural(more, 'older line'))} not shown: the full record is at <code>/api/history</code>.</p>` : ''}`;
}
