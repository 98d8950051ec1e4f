import type { Runtime } from '../app/runtime';
import { checkSilenceInput, splitSubject, type SilenceField } from '../silences/input';
import { TooManySilences } from '../silences/store';
import type { Silence } from '../status/operatorModel';
import { defaultAcker } from './ack';

/**
 * `apns-monitor silence add|list|remove`: "I know, stop repeating until Friday". Not a monitoring-plugin
 * command: `add` prints the new id alone on stdout (so a script can keep it), people read the rest.
 * Exit codes: 0 done, 2 a refused silence (naming the option), 3 an unknown id or a failure.
 */

export interface SilenceIO {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface SilenceArgs {
  sub: string;
  id: string | null;
  flags: ReadonlyMap<string, string | true>;
  json: boolean;
}

/** Which option each field of a new silence came from, to name it in a refusal. */
const OPTION: Record<SilenceField, string> = { subject: '--subject', subjectId: '--subject (the id after the colon)', kind: '--kind', until: '--until', reason: '--reason', by: '--by' };

const ADD_FLAGS = ['--subject', '--kind', '--until', '--reason', '--by'];

/** A mistake in how the command was called (not in what a silence says): the caller shows the usage. */
export class SilenceUsage extends Error {}

function text(flags: ReadonlyMap<string, string | true>, name: string): string | undefined {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

function describe(s: Silence): string {
  const subject = s.subjectId === null ? s.subject : `${s.subject}:${s.subjectId}`;
  return `${subject} ${s.kind ?? 'every kind'} until ${s.until}`;
}

/** A plain table: one row per silence, columns padded; the reason last, as it is the longest. */
export function silenceTable(silences: readonly Silence[]): string[] {
  const rows = [['ID', 'SUBJECT', 'KIND', 'UNTIL', 'BY', 'REASON'], ...silences.map((s) => [s.id, s.subjectId === null ? s.subject : `${s.subject}:${s.subjectId}`, s.kind ?? '*', s.until, s.createdBy ?? '-', s.reason])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
}

export async function silenceCommand(runtime: () => Runtime, args: SilenceArgs, io: SilenceIO, now: Date): Promise<number> {
  const given = [...args.flags.keys()].filter((f) => f !== '--json');
  if (args.sub !== 'add' && given.length > 0) throw new SilenceUsage(`${given[0]} applies to silence add only`);
  switch (args.sub) {
    case 'add':
      if (args.id !== null) throw new SilenceUsage(`unexpected argument "${args.id}": silence add takes options only`);
      return add(runtime, args, io, now);
    case 'list':
      if (args.id !== null) throw new SilenceUsage(`unexpected argument "${args.id}": silence list takes none`);
      return list(runtime(), args.json, io, now);
    case 'remove':
      if (args.id === null) throw new SilenceUsage('silence remove needs the id of a silence (apns-monitor silence list shows them)');
      return remove(runtime(), args.id, args.json, io);
    default:
      throw new SilenceUsage(`unknown sub-command "${args.sub.slice(0, 40)}": add, list or remove`);
  }
}

function refuse(io: SilenceIO, json: boolean, message: string, field: string | null): number {
  if (json) io.stdout(JSON.stringify({ error: message, ...(field === null ? {} : { field }) }));
  io.stderr(`apns-monitor: ${message}`);
  return 2;
}

async function add(runtime: () => Runtime, args: SilenceArgs, io: SilenceIO, now: Date): Promise<number> {
  const subject = text(args.flags, '--subject');
  const split = subject === undefined ? { subject: undefined, subjectId: null } : splitSubject(subject);
  const rt = runtime();
  const checked = checkSilenceInput(
    { ...split, kind: text(args.flags, '--kind'), until: text(args.flags, '--until'), reason: text(args.flags, '--reason'), by: text(args.flags, '--by') ?? defaultAcker(io.env) },
    now,
    rt.config.displayTimeZone,
  );
  if (!checked.ok) return refuse(io, args.json, `${OPTION[checked.field]} ${checked.problem}`, OPTION[checked.field].split(' ')[0]!);
  let silence: Silence;
  try {
    silence = await rt.silences.add(checked.silence, now);
  } catch (error) {
    if (error instanceof TooManySilences) return refuse(io, args.json, error.message, null);
    throw error;
  }
  await prune(rt, now, io);
  if (args.json) io.stdout(JSON.stringify(silence, null, 2));
  else io.stdout(silence.id);
  io.stderr(`silenced ${describe(silence)}${rt.config.displayTimeZone === null ? '' : ` (${rt.config.displayTimeZone})`}: matching alerts are recorded, not delivered; an alert that opens a critical incident still goes out`);
  return 0;
}

async function list(rt: Runtime, json: boolean, io: SilenceIO, now: Date): Promise<number> {
  const silences = await rt.silences.inForce(now);
  await prune(rt, now, io);
  if (json) io.stdout(JSON.stringify({ silences }, null, 2));
  else if (silences.length === 0) io.stdout('no silence in force');
  else for (const line of silenceTable(silences)) io.stdout(line);
  return 0;
}

async function remove(rt: Runtime, id: string, json: boolean, io: SilenceIO): Promise<number> {
  const removed = await rt.silences.remove(id);
  if (removed === null) {
    const shown = id.length > 60 ? `${id.slice(0, 60)}…` : id;
    const message = `no silence with id ${shown.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')} (apns-monitor silence list shows them)`;
    if (json) io.stdout(JSON.stringify({ error: message }));
    io.stderr(`apns-monitor: ${message}`);
    return 3;
  }
  if (json) io.stdout(JSON.stringify({ removed }, null, 2));
  else io.stdout(`removed ${removed.id} (${describe(removed)})`);
  return 0;
}

/** Ended silences' rows go when someone works with silences; failing at it is no reason to fail the command. */
async function prune(rt: Runtime, now: Date, io: SilenceIO): Promise<void> {
  try {
    await rt.silences.prune(now);
  } catch (error) {
    io.stderr(`apns-monitor: could not delete ended silences (they no longer apply): ${rt.redact(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error))}`);
  }
}
