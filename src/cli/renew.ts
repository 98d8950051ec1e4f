import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { checkDeps, createRuntime, type Runtime } from '../app/runtime';
import { runCheck } from '../check/runCheck';
import { ConfigError, loadConfig, renewClientId, secretsOf, type Env } from '../config';
import { createCertificateReader } from '../graph/certificateReader';
import { createGraphClient, type GraphClientOptions } from '../graph/graphClient';
import type { Logger } from '../log';
import { createRedactor } from '../redact';
import { plural } from '../render/words';
import { createRenewalGraph } from '../renew/renewalGraph';
import { csrCommand, EXIT_FAILED, uploadCommand, type AfterUploadReport } from '../renew/renewCommand';
import { renewalCredential, type RenewAuth, WRITE_PERMISSION } from '../renew/signIn';
import type { RenewalRecord } from '../storage/records';

export const RENEW_USAGE = `usage: apns-monitor renew csr [--out FILE] [--auth device-code|app] [--json]
       apns-monitor renew upload FILE.pem [--dry-run] [--apple-id ID] [--allow-new-topic]
                                  [--allow-apple-id-change] [--auth device-code|app] [--json]

  csr      download Intune's certificate signing request to FILE (default IntuneCSR.csr), exactly as
           Graph returns it, and print the next steps: the Apple ID to sign in with, the topic to find
           in Apple's Push Certificates Portal, and to choose Renew, never Create a Certificate
  upload   check FILE (one PEM or DER certificate from Apple) against the current push certificate and,
           when every check passes, upload it, confirm it in Graph, record it and run a check:
             one certificate (not a key, CSR or bundle); issued by Apple Application Integration (2) CA;
             valid now; expires later than the current one; same topic (--allow-new-topic overrides:
             every device must then re-enroll; on a terminal the tenant's name must be typed); same
             Apple ID (--apple-id ID with --allow-apple-id-change records another)
           --dry-run checks only and uploads nothing

  --auth device-code  a person signs in with a device code (default on a terminal); needs
                      ${WRITE_PERMISSION} and the Intune Administrator role; client id
                      RENEW_CLIENT_ID, else Microsoft Graph Command Line Tools' public client
  --auth app          the monitor's app credential settings (default off a terminal, for automation);
                      that app needs the application permission ${WRITE_PERMISSION}

exit codes: 0 uploaded, written, or dry run passed; 2 refused by a check; 3 could not run or could not
            confirm (sign-in, permission, Graph, missing or unreadable file, the upload not showing)`;

export interface RenewIO {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now?: () => Date;
  /** Whether a person is at a terminal: picks the default --auth and allows the confirmation prompt. */
  isTerminal?: boolean;
  /** Reads one line typed by the person (the new-topic confirmation); null at end of input. */
  readLine?: (prompt: string) => Promise<string | null>;
  runtime?: (env: Record<string, string | undefined>) => Runtime;
  graph?: GraphClientOptions;
}

interface ParsedArgs {
  sub: 'csr' | 'upload';
  file: string | null;
  outFile: string;
  dryRun: boolean;
  appleId: string | null;
  allowNewTopic: boolean;
  allowAppleIdChange: boolean;
  auth: RenewAuth | null;
  json: boolean;
}

const VALUE_FLAGS: Record<'csr' | 'upload', string[]> = { csr: ['--out', '--auth'], upload: ['--apple-id', '--auth'] };
const BOOLEAN_FLAGS: Record<'csr' | 'upload', string[]> = { csr: ['--json'], upload: ['--dry-run', '--allow-new-topic', '--allow-apple-id-change', '--json'] };

function parse(args: string[]): ParsedArgs | string {
  const [sub, ...rest] = args;
  if (sub !== 'csr' && sub !== 'upload') return sub === undefined ? 'a subcommand is missing: csr or upload' : `unknown subcommand ${sub}`;
  const parsed: ParsedArgs = { sub, file: null, outFile: 'IntuneCSR.csr', dryRun: false, appleId: null, allowNewTopic: false, allowAppleIdChange: false, auth: null, json: false };
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (VALUE_FLAGS[sub].includes(arg)) {
      const v = rest[++i];
      if (v === undefined || v.trim() === '' || v.startsWith('--')) return `${arg} expects a value`;
      if (arg === '--out') parsed.outFile = v;
      else if (arg === '--apple-id') parsed.appleId = v;
      else if (v === 'device-code' || v === 'app') parsed.auth = v;
      else return `--auth expects device-code or app, got "${v}"`;
    } else if (BOOLEAN_FLAGS[sub].includes(arg)) {
      if (arg === '--dry-run') parsed.dryRun = true;
      else if (arg === '--allow-new-topic') parsed.allowNewTopic = true;
      else if (arg === '--allow-apple-id-change') parsed.allowAppleIdChange = true;
      else parsed.json = true;
    } else if (arg.startsWith('--')) {
      return `unknown option ${arg} for renew ${sub}`;
    } else {
      positional.push(arg);
    }
  }
  if (sub === 'csr' && positional.length > 0) return `renew csr takes no file argument (got ${positional[0]}); use --out FILE`;
  if (sub === 'upload') {
    if (positional.length !== 1) return positional.length === 0 ? 'renew upload needs the certificate file: renew upload FILE.pem' : 'renew upload takes one certificate file';
    parsed.file = positional[0]!;
  }
  return parsed;
}

function hasStorageSetting(env: Env): boolean {
  return Object.entries(env).some(([k, v]) => (k === 'AzureWebJobsStorage' || k.startsWith('AzureWebJobsStorage__')) && v !== undefined && v.trim() !== '');
}

/** Reads one line from stdin, prompting on stderr so stdout stays the result. */
function terminalReadLine(prompt: string): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let answered = false;
    rl.question(prompt, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
    rl.once('close', () => {
      if (!answered) resolve(null);
    });
  });
}

function lineLogger(write: (text: string) => void): Logger {
  return {
    info: (m) => write(`${new Date().toISOString()} info  ${m}`),
    warn: (m) => write(`${new Date().toISOString()} warn  ${m}`),
    error: (m) => write(`${new Date().toISOString()} error ${m}`),
  };
}

/** `apns-monitor renew …`: parses its own flags and prints its own help. */
export async function renewCommand(args: string[], io: RenewIO): Promise<number> {
  if (args.length === 0 || args.includes('--help') || args.includes('-h') || args[0] === 'help') {
    io.stdout(RENEW_USAGE);
    return args.length === 0 ? EXIT_FAILED : 0;
  }
  const parsed = parse(args);
  if (typeof parsed === 'string') {
    io.stderr(`apns-monitor renew: ${parsed}\n${RENEW_USAGE}`);
    return EXIT_FAILED;
  }
  const now = io.now ?? (() => new Date());
  const interactive = io.isTerminal ?? (process.stdin.isTTY === true && process.stderr.isTTY === true);
  const auth: RenewAuth = parsed.auth ?? (interactive ? 'device-code' : 'app');
  const storageConfigured = hasStorageSetting(io.env);
  let redact = (text: string) => text;
  try {
    // The upload itself needs no storage; a placeholder lets the shared settings parse without it.
    const env = storageConfigured ? io.env : { ...io.env, AzureWebJobsStorage: 'UseDevelopmentStorage=true' };
    const config = loadConfig(env);
    redact = createRedactor(secretsOf(config, env));
    const credential = renewalCredential(config, env, { auth, clientId: renewClientId(env), prompt: (message) => io.stderr(message) });
    const client = createGraphClient(config, credential, io.graph);
    const graph = createRenewalGraph(client, config.graphEndpoint);
    const out = { stdout: io.stdout, stderr: (text: string) => io.stderr(redact(text)) };
    if (parsed.sub === 'csr') return await csrCommand({ graph, out }, { outFile: parsed.outFile, json: parsed.json });

    const afterUpload = !storageConfigured
      ? null
      : async (renewal: RenewalRecord): Promise<AfterUploadReport> => {
          const report: AfterUploadReport = { lines: [], warnings: [], check: null };
          let runtime: Runtime;
          try {
            runtime = (io.runtime ?? createRuntime)(env);
          } catch (error) {
            report.warnings.push(`the renewal could not be recorded and no check ran: ${redact(error instanceof Error ? error.message : String(error))}`);
            return report;
          }
          try {
            await runtime.store.appendRenewal(renewal, randomUUID().slice(0, 8));
            report.lines.push('Recorded the renewal in history.');
          } catch (error) {
            report.warnings.push(`the renewal could not be recorded in history: ${redact(error instanceof Error ? error.message : String(error))}`);
          }
          try {
            // The check reads with this session's sign-in: the monitor's own identity may not exist here.
            const deps = { ...checkDeps(runtime, lineLogger(io.stderr), now), readCertificate: createCertificateReader(client, { graphEndpoint: config.graphEndpoint }) };
            const result = await runCheck(deps);
            report.check = { status: result.status, alerts: result.alerts.map((a) => a.kind) };
            report.lines.push(`Check: status ${result.status}${result.daysRemaining === null ? '' : `, ${plural(result.daysRemaining, 'day')} left`}; alerts raised: ${result.alerts.length === 0 ? 'none' : result.alerts.map((a) => a.kind).join(', ')}`);
          } catch (error) {
            report.warnings.push(`the check after the upload failed (the next scheduled check will see the renewal): ${redact(error instanceof Error ? error.message : String(error))}`);
          }
          return report;
        };
    return await uploadCommand(
      { graph, now, out, interactive, readLine: io.readLine ?? terminalReadLine, tenantName: config.tenantName, auth, afterUpload },
      { file: parsed.file ?? '', dryRun: parsed.dryRun, appleId: parsed.appleId, allowNewTopic: parsed.allowNewTopic, allowAppleIdChange: parsed.allowAppleIdChange, json: parsed.json },
    );
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`apns-monitor: ${error.message}`);
      return EXIT_FAILED;
    }
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    io.stderr(`apns-monitor renew: ${parsed.sub} failed: ${redact(message)}`);
    return EXIT_FAILED;
  }
}
