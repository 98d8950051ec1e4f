import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Env } from '../config';
import { SUBJECT_KINDS } from '../domain/alertEvent';
import { runCheck } from '../check/runCheck';
import { exitCodeFor } from '../domain/status';
import { redactingLogger, stderrLogger } from '../log';
import { checkDeps, createRuntime, type Runtime } from '../app/runtime';
import { loadReadModel } from '../status/readModel';
import { staleLine, statusLine, unknownLine } from './format';
import { runTestAlert } from './notifyTest';
import { channelLines } from './channelLines';
import { ackCommand, defaultAcker } from './ack';
import { lineBatch } from '../localHost/lineBatch';
import { silenceCommand, SilenceUsage } from './silence';
import { deviceCertsCommand } from './deviceCerts';

/**
 * The command line, a monitoring plugin (Nagios, Icinga, Checkmk): stdout carries one line (or one
 * JSON document) and nothing else, whatever happens; exit codes 0 ok, 1 warning, 2 critical, 3 unknown.
 */

export interface CliIO {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now?: () => Date;
  runtime?: (env: Record<string, string | undefined>) => Runtime;
}

const defaultIO: CliIO = {
  env: process.env,
  stdout: (t) => process.stdout.write(`${t}\n`),
  stderr: (t) => process.stderr.write(`${t}\n`),
};

/** A mistake on the command line; `showUsage` adds the command's usage on stderr. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

/** A command that cannot do its job for a reason it can state (no channel configured, …). */
export class CommandError extends Error {}

export interface FlagSpec {
  /** The value's placeholder (`N`, `NAME`) for a flag that takes one: `--port N` or `--port=N`. */
  value?: string;
  help: string;
}

/** What a command's handler gets: its parsed arguments, and the runtime built on first use. */
export interface CommandContext {
  io: CliIO;
  /** Positional arguments, in order. */
  args: string[];
  /** Flags given: a flag without a value maps to true. */
  flags: ReadonlyMap<string, string | true>;
  json: boolean;
  now: () => Date;
  runtime: () => Runtime;
}

export interface CommandSpec {
  /** What follows the command name in its usage line, e.g. `[--json]` or `<alert id>|--all [--by NAME]`. */
  synopsis: string;
  /** One line for the overall usage. */
  summary: string;
  /** More lines for `apns-monitor <command> --help`. */
  details?: string;
  flags: Record<string, FlagSpec>;
  /** Positional arguments it accepts (none when absent). */
  args?: { min: number; max: number };
  /** Settings to build the runtime from, when they differ from the environment. */
  env?: (env: Env) => Env;
  run: (ctx: CommandContext) => Promise<number>;
}

const JSON_FLAG: FlagSpec = { help: 'one JSON document instead of the plugin line' };

const EXIT_CODES = `exit codes: 0 ok/not configured, 1 warning, 2 critical/expired, 3 unknown or error
            (notify-test: 0 every channel took it, 2 one did not, 3 none configured)`;

async function check(ctx: CommandContext): Promise<number> {
  const runtime = ctx.runtime();
  const result = await runCheck(checkDeps(runtime, stderrLogger, ctx.now));
  if (ctx.json) ctx.io.stdout(JSON.stringify(result, null, 2));
  else ctx.io.stdout(statusLine({ ...result, tenant: runtime.config.tenantName, alertsSent: result.alerts.length, alertsSilenced: (result.silenced ?? []).filter((s) => s.held).length, ...runtime.config.policy }));
  return exitCodeFor(result.status);
}

async function status(ctx: CommandContext): Promise<number> {
  const runtime = ctx.runtime();
  const now = ctx.now();
  const model = await loadReadModel(runtime, now);
  const { lastCheck } = model.loaded;
  if (lastCheck === null) {
    if (ctx.json) ctx.io.stdout(JSON.stringify({ status: 'unknown', error: 'no check has been recorded yet' }));
    else ctx.io.stdout(unknownLine('no check has been recorded yet: run `apns-monitor check`'));
    return 3;
  }
  const staleAfter = model.staleAfterMs;
  // The same staleness as /api/status: the last good check is older than the schedule allows.
  const doc = model.doc;
  const stale = doc?.stale ?? true;
  // The status of now: the time left recomputed, and open incidents (an acknowledgement counts at once).
  const current = doc?.status ?? lastCheck.status;
  const openIncidents = doc?.openIncidents ?? [];
  if (ctx.json) {
    ctx.io.stdout(JSON.stringify({ ...lastCheck, status: current, daysRemaining: doc?.daysRemaining ?? lastCheck.daysRemaining, stale, openIncidents, deliveryFailures: doc?.deliveryFailures ?? [], subjects: doc?.subjects ?? [], silences: doc?.silences ?? [], channels: doc?.channels ?? [] }, null, 2));
    return stale ? 3 : exitCodeFor(current);
  }
  if (!stale) {
    ctx.io.stdout(statusLine({ ...lastCheck, status: current, daysRemaining: doc?.daysRemaining ?? lastCheck.daysRemaining, openIncidents, subjects: doc?.subjects ?? [], checkTime: lastCheck.checkedAt, tenant: runtime.config.tenantName, ...runtime.config.policy }));
    // After the plugin line: a monitoring system reads the first line only.
    for (const line of channelLines(doc?.channels ?? [])) ctx.io.stdout(line);
    return exitCodeFor(current);
  }
  const known = doc?.certificate ?? null;
  const days = doc?.daysRemaining ?? null;
  ctx.io.stdout(
    staleLine({
      lastCheckAt: lastCheck.checkedAt,
      lastError: lastCheck.error,
      lastGoodCheckAt: lastCheck.lastGoodCheckAt,
      staleAfterMs: staleAfter,
      lastKnown: known === null || days === null ? null : { certificate: known, daysRemaining: days, expired: days < 0 },
      tenant: runtime.config.tenantName,
      now,
    }),
  );
  for (const line of channelLines(doc?.channels ?? [])) ctx.io.stdout(line);
  return 3;
}

async function notifyTest(ctx: CommandContext): Promise<number> {
  const runtime = ctx.runtime();
  if (runtime.config.notify === null && runtime.channels.length === 0) {
    throw new CommandError('no channel is configured: set TEAMS_WEBHOOK_URL, EMAIL_FROM and EMAIL_TO, WEBHOOK_URL and WEBHOOK_SECRET, or NOTIFY_URL');
  }
  // Its lines are for the person who ran it: through the command's own stderr.
  const line = (level: string) => (m: string) => ctx.io.stderr(`${ctx.now().toISOString()} ${level} ${m}`);
  const log = redactingLogger({ info: line('info '), warn: line('warn '), error: line('error') }, runtime.redact);
  const reports = await runTestAlert(runtime, ctx.now, log, { record: hasStorageSetting(ctx.io.env) });
  if (ctx.json) ctx.io.stdout(JSON.stringify({ channels: reports }, null, 2));
  else for (const r of reports) ctx.io.stdout(`${r.channel}: ${r.outcome}${r.detail === null ? '' : ` - ${r.detail}`}`);
  return reports.every((r) => r.outcome === 'delivered') ? 0 : 2;
}

async function ack(ctx: CommandContext): Promise<number> {
  const all = ctx.flags.get('--all') === true;
  const id = ctx.args[0];
  if (all === (id !== undefined)) throw new UsageError('give one incident id, or --all');
  const text = (flag: string) => {
    const v = ctx.flags.get(flag);
    return typeof v === 'string' ? v : null;
  };
  return ackCommand(ctx.runtime(), { ids: all ? 'all' : [id as string], by: text('--by') ?? defaultAcker(ctx.io.env), note: text('--note'), json: ctx.json }, ctx.io, ctx.now());
}

async function silence(ctx: CommandContext): Promise<number> {
  try {
    return await silenceCommand(ctx.runtime, { sub: ctx.args[0] ?? '', id: ctx.args[1] ?? null, flags: ctx.flags, json: ctx.json }, ctx.io, ctx.now());
  } catch (error) {
    if (error instanceof SilenceUsage) throw new UsageError(error.message);
    throw error;
  }
}

function portOf(ctx: CommandContext): number {
  const raw = ctx.flags.get('--port');
  if (raw === undefined) return 7071;
  const value = raw === true ? '' : raw;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`--port expects a port number from 0 to 65535, got "${value}"`, false);
  return Number(value);
}

async function serve(ctx: CommandContext): Promise<number> {
  const port = portOf(ctx);
  const runtime = ctx.runtime();
  const { io } = ctx;
  const key = io.env['NOTIFY_KEY']?.trim() || null;
  // Each line is written by io.stderr, which ends it; a batch of lines is one write.
  const lines = lineBatch(io.stderr);
  process.once('exit', lines.flush);
  // Loaded by the commands that need them: a check does not load the local host, @azure/functions and the handlers.
  const { startLocalHost } = await import('../localHost/serve');
  const host = await startLocalHost({ runtime, port, key, log: (line) => lines.log(`${new Date().toISOString()} ${runtime.redact(line)}`) });
  io.stdout(`Serving the function app at ${host.url}/api/ (status, history, dashboard, badge.svg, notify, test-alert)${key === null ? '' : ' — function routes need NOTIFY_KEY'}`);
  io.stdout(`Dashboard: ${host.url}/api/dashboard`);
  io.stdout(`Timer checkCertificate (${runtime.config.checkSchedule}) runs next at ${host.nextRun()?.toISOString() ?? 'never'}. Ctrl+C stops.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await host.close();
  lines.flush();
  process.off('exit', lines.flush);
  return 0;
}

function hasStorageSetting(env: Env): boolean {
  return Object.keys(env).some((k) => k === 'AzureWebJobsStorage' || k.startsWith('AzureWebJobsStorage__'));
}

/** Every command, its flags and its help. A new command is one entry here. */
export const COMMANDS: Record<string, CommandSpec> = {
  check: {
    synopsis: '[--json]',
    summary: 'read the push certificate and the VPP and ADE tokens (WATCH) from Graph, record the check, send due alerts',
    flags: { '--json': JSON_FLAG },
    run: check,
  },
  status: {
    synopsis: '[--json]',
    summary: 'show the last recorded check from Table Storage (no Graph call)',
    details: 'UNKNOWN (exit 3) when the last good check is older than twice the longest gap of CHECK_SCHEDULE: the timer may have stopped.',
    flags: { '--json': JSON_FLAG },
    run: status,
  },
  'notify-test': {
    synopsis: '[--json]',
    summary: 'send a test message to every configured channel (through NOTIFY_URL when set)',
    details: 'Exit 0 when every channel took it, 2 when one did not, 3 when none is configured. Records each channel\'s health when a storage setting is given; without one it touches no storage.',
    flags: { '--json': JSON_FLAG },
    // An admin may run it with only the channel or NOTIFY_URL settings: then no storage is touched (runTestAlert's record: false).
    env: (env) => (hasStorageSetting(env) ? env : { ...env, AzureWebJobsStorage: 'UseDevelopmentStorage=true' }),
    run: notifyTest,
  },
  ack: {
    synopsis: '<incident id>|--all [--by NAME] [--note TEXT] [--json]',
    summary: 'acknowledge an open incident, so the monitor may show OK again',
    details:
      'Incidents (topic_changed, apple_id_changed, upload_failed, removed, token_invalid; expired and monitor_failing until their condition ends), of the push certificate and of VPP and ADE tokens alike, keep the status at least at their severity until acknowledged. ' +
      '`apns-monitor status --json` lists them under openIncidents. Exit 0 when acknowledged (or --all finds none), 3 naming an id that is not an open incident.',
    flags: {
      '--all': { help: 'every open incident' },
      '--by': { value: 'NAME', help: 'who acknowledges (default: the signed-in user)' },
      '--note': { value: 'TEXT', help: 'why, for history' },
      '--json': { help: 'one JSON document (what was acknowledged) instead of lines of text' },
    },
    args: { min: 0, max: 1 },
    run: ack,
  },
  silence: {
    synopsis: 'add|list|remove …',
    summary: 'hold back repeating alerts until a date: silence add, silence list, silence remove ID',
    details:
      'usage: apns-monitor silence add --subject KIND[:ID] [--kind ALERT_KIND] --until DATE --reason TEXT [--by NAME] [--json]\n' +
      '       apns-monitor silence list [--json]\n' +
      '       apns-monitor silence remove ID [--json]\n\n' +
      'A silenced alert is still recorded (history shows it silenced) but sent on no channel, also not after the silence ends. ' +
      'An alert that opens a critical incident (topic_changed, upload_failed, removed, the first expired, token_invalid) is sent anyway. ' +
      '--until takes a date (the end of that day in DISPLAY_TIMEZONE, else UTC) or a date-time with an offset (2027-03-05T17:00:00+01:00); the silence ends by itself then. ' +
      '`add` prints the new id. Exit 0 done, 2 a refused silence (naming the option), 3 an unknown id or a failure.',
    flags: {
      '--subject': { value: 'KIND[:ID]', help: `what to silence: ${SUBJECT_KINDS.join(', ')}; :ID one token` },
      '--kind': { value: 'ALERT_KIND', help: 'one alert kind (expiring, expired, sync_stale, …); every kind when absent, except channel_failing and channel_recovered, which only a silence naming them holds' },
      '--until': { value: 'DATE', help: 'when it ends: 2027-03-05 (end of that day) or 2027-03-05T17:00:00+01:00' },
      '--reason': { value: 'TEXT', help: 'why (required; shown with the silence)' },
      '--by': { value: 'NAME', help: 'who silences (default: the signed-in user)' },
      '--json': { help: 'one JSON document instead of text' },
    },
    args: { min: 1, max: 2 },
    run: silence,
  },
  'device-certs': {
    synopsis: '[--within-days N] [--json|--csv]',
    summary: 'list the device certificates at risk (expired or expiring within N days), from storage',
    details:
      'The list the last complete scan stored (WATCH must name device_certificate), soonest expiry first: device, user, certificate subject, issuer, expiry, days remaining, thumbprint, serial number. ' +
      'N defaults to the largest of DEVICE_CERT_THRESHOLD_DAYS and cannot exceed it. CSV is RFC 4180 (CRLF), with text cells that a spreadsheet would run as a formula neutralised. ' +
      'Exit 0 listed, 2 a bad option, 3 nothing to list (not watched, or no scan yet).',
    flags: {
      '--within-days': { value: 'N', help: 'only certificates with at most N whole days left (expired ones included)' },
      '--json': { help: 'one JSON document instead of the table' },
      '--csv': { help: 'CSV instead of the table' },
    },
    run: deviceCertsCommand,
  },
  serve: {
    synopsis: '[--port N]',
    summary: 'serve the function app at http://127.0.0.1:<port>/api/... and run the timer on its schedule',
    details: 'Without Azure Functions Core Tools. NOTIFY_KEY, when set, is required on the function routes. Ctrl+C stops.',
    flags: { '--port': { value: 'N', help: 'the port to listen on (default 7071, 0 picks a free one)' } },
    run: serve,
  },
};

function commandUsage(name: string, spec: CommandSpec): string {
  const flags = Object.entries(spec.flags).map(([flag, f]) => `  ${`${flag}${f.value === undefined ? '' : ` ${f.value}`}`.padEnd(18)} ${f.help}`);
  return [`usage: apns-monitor ${name} ${spec.synopsis}`.trimEnd(), '', spec.summary, ...(spec.details === undefined ? [] : [spec.details]), ...(flags.length === 0 ? [] : ['', 'options:', ...flags])].join('\n');
}

function usage(): string {
  const commands = Object.entries(COMMANDS).map(([name, spec]) => `  ${`${name} ${spec.synopsis}`.padEnd(22)} ${spec.summary}`);
  return [
    'usage: apns-monitor <command> [options]',
    '       apns-monitor <command> --help | --help | --version',
    '',
    'commands:',
    ...commands,
    `  ${'renew csr|upload …'.padEnd(22)} download the CSR, or upload a renewed push certificate after checking it (apns-monitor renew --help)`,
    '',
    EXIT_CODES,
  ].join('\n');
}

/** The version in package.json, found from the source (src/cli) or the bundle (dist/cli.js). */
export function version(): string {
  for (const up of ['..', '../..']) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'apns-expiry-monitor' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not this directory: try the next one up.
    }
  }
  return 'unknown';
}

interface Parsed {
  args: string[];
  flags: Map<string, string | true>;
  help: boolean;
}

function parseArguments(spec: CommandSpec, argv: string[]): Parsed {
  const parsed: Parsed = { args: [], flags: new Map(), help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      parsed.help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.args.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    // Only the name is ever echoed: a value may be anything, a secret pasted by mistake included.
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const flag = spec.flags[name];
    if (flag === undefined) throw new UsageError(`unknown option ${name}`);
    if (parsed.flags.has(name)) throw new UsageError(`${name} is given twice`);
    if (flag.value === undefined) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      parsed.flags.set(name, true);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value (${name} ${flag.value})`);
    parsed.flags.set(name, value);
  }
  const { min, max } = spec.args ?? { min: 0, max: 0 };
  if (parsed.args.length > max) throw new UsageError(`unexpected argument "${parsed.args[max]}"`);
  if (parsed.args.length < min && !parsed.help) throw new UsageError(`missing argument: ${spec.synopsis}`);
  return parsed;
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const [command, ...rest] = argv;
  // Known before the arguments are parsed, so that even a usage error answers in the form asked for.
  let json = false;
  let runtime = null as Runtime | null;
  // Every failure is one line on stdout (what the monitoring system shows) and one on stderr.
  const fail = (message: string, extra?: string): number => {
    io.stdout(json ? JSON.stringify({ status: 'unknown', error: message }) : unknownLine(message));
    io.stderr(`apns-monitor: ${message}${extra === undefined ? '' : `\n${extra}`}`);
    return 3;
  };

  if (command === '--help' || command === '-h' || command === 'help') {
    const spec = COMMANDS[rest[0] ?? ''];
    io.stdout(spec === undefined ? usage() : commandUsage(rest[0]!, spec));
    return 0;
  }
  if (command === '--version' || command === 'version') {
    io.stdout(`apns-monitor ${version()}`);
    return 0;
  }
  if (command === undefined) return fail('no command given: run `apns-monitor --help`', usage());
  // The renewal assistant parses its own sub-commands, flags and help (src/cli/renew.ts).
  if (command === 'renew') return (await import('./renew')).renewCommand(rest, io);
  const spec = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (spec === undefined) return fail(command.startsWith('-') ? `unknown option ${command.split('=')[0]}` : `unknown command ${command}`, usage());
  json = '--json' in spec.flags && rest.includes('--json');

  try {
    const parsed = parseArguments(spec, rest);
    if (parsed.help) {
      io.stdout(commandUsage(command, spec));
      return 0;
    }
    return await spec.run({
      io,
      args: parsed.args,
      flags: parsed.flags,
      json,
      now: io.now ?? (() => new Date()),
      runtime: () => (runtime ??= (io.runtime ?? createRuntime)(spec.env === undefined ? io.env : spec.env(io.env))),
    });
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message, error.showUsage ? commandUsage(command, spec) : undefined);
    if (error instanceof ConfigError || error instanceof CommandError) return fail(error.message);
    const message = firstLine(error);
    return fail(`${command} failed: ${runtime === null ? message : runtime.redact(message)}`);
  }
}
