import type { Runtime } from '../app/runtime';
import { acknowledgeIncidents, cleanText, MAX_ACK_BY, MAX_ACK_NOTE } from '../incidents/acknowledge';
import { unknownLine } from './format';

export interface AckArgs {
  ids: string[] | 'all';
  by: string | null;
  note: string | null;
  json: boolean;
}

export interface AckIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Who acknowledged, when --by is not given: the signed-in user, as a shell knows it. */
export function defaultAcker(env: Record<string, string | undefined>): string | null {
  const user = env['USER'] ?? env['USERNAME'] ?? env['LOGNAME'];
  return user === undefined || user.trim() === '' ? null : cleanText(user, MAX_ACK_BY);
}

/** `apns-monitor ack <id>|--all [--by NAME] [--note TEXT]`: 0 when acknowledged, 3 naming an unknown id. */
export async function ackCommand(runtime: Runtime, args: AckArgs, io: AckIO, now: Date): Promise<number> {
  const by = args.by === null ? null : cleanText(args.by, MAX_ACK_BY) || null;
  const note = args.note === null ? null : cleanText(args.note, MAX_ACK_NOTE) || null;
  const outcome = await acknowledgeIncidents(runtime.store, { ids: args.ids, by, note, at: now }, runtime.tokenSubjects.map((t) => t.subject), runtime.deviceCertificates?.store ?? null);
  if (!outcome.ok) {
    const message = `no open incident with id ${outcome.unknown.join(', ')} (apns-monitor status --json lists openIncidents)`;
    // Like every failure of the command line: one line on stdout, one on stderr.
    io.stdout(args.json ? JSON.stringify({ status: 'unknown', acknowledged: [], error: message }) : unknownLine(message));
    io.stderr(`apns-monitor: ${message}`);
    return 3;
  }
  if (args.json) {
    io.stdout(JSON.stringify({ acknowledged: outcome.closed.map(({ id, kind, severity, openedAt }) => ({ id, kind, severity, openedAt })), by, note }, null, 2));
  } else if (outcome.closed.length === 0) {
    io.stdout('no open incident to acknowledge');
  } else {
    for (const i of outcome.closed) io.stdout(`acknowledged ${i.id} (${i.kind.replace(/_/g, ' ')}, ${i.severity}, opened ${i.openedAt})${by === null ? '' : ` by ${by}`}`);
  }
  return 0;
}
