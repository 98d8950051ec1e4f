import { ConfigError } from '../config';
import { runCheck } from '../check/runCheck';
import { exitCodeFor } from '../domain/status';
import { stderrLogger } from '../log';
import { checkDeps, createRuntime, type Runtime } from '../app/runtime';
import { statusLine } from './format';
import { sendTestEvent } from './notifyTest';
import { startLocalHost } from '../localHost/serve';
import { renewCommand } from './renew';

const USAGE = `usage: apns-monitor <command> [--json]

commands:
  check     read the certificate from Graph, record the check, send due alerts
  status    show the last recorded check from Table Storage (no Graph call)
  notify-test
            send a test message to every configured channel (through NOTIFY_URL when set)
  serve [--port 7071]
            serve the function app at http://127.0.0.1:<port>/api/... and run the timer on its
            schedule, without Azure Functions Core Tools (NOTIFY_KEY, when set, is required)

exit codes: 0 ok/not configured, 1 warning, 2 critical/expired, 3 unknown or error
            (notify-test: 0 every channel took it, 2 one did not, 3 none configured)`;

export interface CliIO {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now?: () => Date;
  runtime?: (env: Record<string, string | undefined>) => Runtime;
}

function hasStorageSetting(env: Record<string, string | undefined>): boolean {
  return Object.keys(env).some((k) => k === 'AzureWebJobsStorage' || k.startsWith('AzureWebJobsStorage__'));
}

const defaultIO: CliIO = {
  env: process.env,
  stdout: (t) => process.stdout.write(`${t}\n`),
  stderr: (t) => process.stderr.write(`${t}\n`),
};

async function check(runtime: Runtime, json: boolean, io: CliIO): Promise<number> {
  const result = await runCheck(checkDeps(runtime, stderrLogger, io.now));
  if (json) io.stdout(JSON.stringify(result, null, 2));
  else io.stdout(statusLine({ ...result, tenant: runtime.config.tenantName, alertsSent: result.alerts.length, ...runtime.config.policy }));
  return exitCodeFor(result.status);
}

async function status(runtime: Runtime, json: boolean, io: CliIO): Promise<number> {
  const { lastCheck } = await runtime.store.loadState();
  if (lastCheck === null) {
    if (json) io.stdout(JSON.stringify({ status: 'unknown', error: 'no check has been recorded yet' }));
    else io.stdout('APNS UNKNOWN - no check has been recorded yet: run `apns-monitor check`');
    return 3;
  }
  if (json) io.stdout(JSON.stringify(lastCheck, null, 2));
  else io.stdout(`${statusLine({ ...lastCheck, tenant: runtime.config.tenantName, ...runtime.config.policy })} (checked ${lastCheck.checkedAt})`);
  return exitCodeFor(lastCheck.status);
}

async function notifyTest(runtime: Runtime, json: boolean, io: CliIO): Promise<number> {
  if (runtime.config.notify === null && runtime.channels.length === 0) {
    io.stderr('apns-monitor: no channel is configured: set TEAMS_WEBHOOK_URL, EMAIL_FROM and EMAIL_TO, WEBHOOK_URL and WEBHOOK_SECRET, or NOTIFY_URL');
    return 3;
  }
  const reports = await sendTestEvent(runtime.config, runtime.channels, runtime.redact, (io.now ?? (() => new Date()))());
  if (json) io.stdout(JSON.stringify({ channels: reports }, null, 2));
  else for (const r of reports) io.stdout(`${r.channel}: ${r.outcome}${r.detail === null ? '' : ` - ${r.detail}`}`);
  return reports.every((r) => r.outcome === 'delivered') ? 0 : 2;
}

async function serve(runtime: Runtime, port: number, io: CliIO): Promise<number> {
  const key = io.env['NOTIFY_KEY']?.trim() || null;
  const host = await startLocalHost({ runtime, port, key, log: (line) => io.stderr(`${new Date().toISOString()} ${runtime.redact(line)}`) });
  io.stdout(`Serving the function app at ${host.url}/api/ (status, history, dashboard, badge.svg, notify)${key === null ? '' : ' — function routes need NOTIFY_KEY'}`);
  io.stdout(`Dashboard: ${host.url}/api/dashboard`);
  io.stdout(`Timer checkCertificate (${runtime.config.checkSchedule}) runs next at ${host.nextRun()?.toISOString() ?? 'never'}. Ctrl+C stops.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await host.close();
  return 0;
}

/** Flags each command takes; `--port` takes a value. */
const FLAGS: Record<string, string[]> = { check: ['--json'], status: ['--json'], 'notify-test': ['--json'], serve: ['--port'] };

export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'renew') return renewCommand(rest, io);
  const allowed = FLAGS[command ?? ''] ?? [];
  let port = 7071;
  let unknownFlag: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--port' && allowed.includes('--port')) {
      const value = rest[++i] ?? '';
      if (!/^\d+$/.test(value) || Number(value) > 65535) {
        io.stderr(`apns-monitor: --port expects a port number from 0 to 65535, got "${value}"`);
        return 3;
      }
      port = Number(value);
    } else if (!allowed.includes(arg)) {
      unknownFlag ??= arg;
    }
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return command === undefined ? 3 : 0;
  }
  if (!(command in FLAGS) || unknownFlag !== undefined) {
    io.stderr(`apns-monitor: ${unknownFlag !== undefined ? `unknown option ${unknownFlag}` : `unknown command ${command}`}\n${USAGE}`);
    return 3;
  }
  const json = rest.includes('--json');
  let runtime: Runtime | null = null;
  try {
    // notify-test touches no storage: an admin may run it with only the channel or NOTIFY_URL settings.
    const env = command === 'notify-test' && !hasStorageSetting(io.env) ? { ...io.env, AzureWebJobsStorage: 'UseDevelopmentStorage=true' } : io.env;
    runtime = (io.runtime ?? createRuntime)(env);
    if (command === 'notify-test') return await notifyTest(runtime, json, io);
    if (command === 'serve') return await serve(runtime, port, io);
    return command === 'check' ? await check(runtime, json, io) : await status(runtime, json, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`apns-monitor: ${error.message}`);
      return 3;
    }
    const message = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
    io.stderr(`APNS UNKNOWN - ${command} failed: ${runtime === null ? message : runtime.redact(message)}`);
    return 3;
  }
}
