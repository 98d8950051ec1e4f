import { writeFile } from 'node:fs/promises';
import { APPLE_PUSH_PORTAL } from '../clouds';
import type { ApnsCertificate } from '../domain/certificate';
import type { RenewalRecord } from '../storage/records';
import { readCertificateFile, type CertificateFacts } from './certificateFile';
import { plural } from '../render/words';
import { runRenewalChecks, type CheckVerdict } from './checks';
import { RenewalGraphError, type RenewalGraph } from './renewalGraph';
import type { RenewAuth } from './signIn';

/**
 * `apns-monitor renew csr` and `renew upload`: the runners, with Graph, the clock, the terminal and
 * what follows an upload injected. Exit codes: 0 done (or a dry run passed), 2 refused by a check,
 * 3 could not run or could not confirm.
 */

export const EXIT_OK = 0;
export const EXIT_REFUSED = 2;
export const EXIT_FAILED = 3;

export interface RenewOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface AfterUploadReport {
  /** One line each: what was recorded, the check's result. */
  lines: string[];
  /** Something after the confirmed upload did not work (history, the check): said, never fatal. */
  warnings: string[];
  check: { status: string; alerts: string[] } | null;
}

export interface UploadDeps {
  graph: RenewalGraph;
  now: () => Date;
  out: RenewOutput;
  /** On a terminal the new-topic override asks for the tenant's name, its only prompt. */
  interactive: boolean;
  readLine: (prompt: string) => Promise<string | null>;
  tenantName: string | null;
  auth: RenewAuth;
  /** Records the renewal and runs a normal check; null when no storage is configured. */
  afterUpload: ((renewal: RenewalRecord) => Promise<AfterUploadReport>) | null;
}

export interface UploadArgs {
  file: string;
  dryRun: boolean;
  appleId: string | null;
  allowNewTopic: boolean;
  allowAppleIdChange: boolean;
  json: boolean;
}

type Outcome = 'uploaded' | 'dry-run' | 'refused' | 'failed';

interface UploadReport {
  file: string;
  outcome: Outcome;
  current: ApnsCertificate | null;
  checks: Array<{ name: string; result: 'passed' | 'refused'; why: string }>;
  error: string | null;
  after: ApnsCertificate | null;
  check: AfterUploadReport['check'];
  notes: string[];
}

const day = (iso: string) => iso.slice(0, 10);

function describeCurrent(c: ApnsCertificate): string {
  return `expires ${day(c.expirationDateTime)}, topic ${c.topicIdentifier ?? 'unknown'}, Apple ID ${c.appleIdentifier ?? 'unknown'}`;
}

function checkLine(c: CheckVerdict): string {
  return `  ${c.passed ? 'passed ' : 'REFUSED'}  ${c.name}: ${c.why}`;
}

/** What Graph shows after the PATCH, against what was uploaded; null when it is the uploaded certificate. */
export function confirmationProblem(after: ApnsCertificate | null, facts: CertificateFacts, expectedTopic: string | null, appleIdentifier: string): string | null {
  if (after === null) return 'Graph now reports no push certificate at all';
  const problems: string[] = [];
  if (Math.abs(Date.parse(after.expirationDateTime) - Date.parse(facts.notAfter)) >= 1000) {
    problems.push(`its expiry is ${after.expirationDateTime}, not the uploaded certificate's ${facts.notAfter}`);
  }
  if (after.topicIdentifier !== expectedTopic) problems.push(`its topic is ${after.topicIdentifier ?? 'unknown'}, not ${expectedTopic ?? 'unknown'}`);
  if ((after.appleIdentifier ?? '').toLowerCase() !== appleIdentifier.toLowerCase()) problems.push(`its Apple ID is ${after.appleIdentifier ?? 'unknown'}, not ${appleIdentifier}`);
  if (problems.length === 0) return null;
  const upload = [after.certificateUploadStatus, after.certificateUploadFailureReason].filter((v): v is string => v !== null);
  return `Graph accepted the upload but does not show the uploaded certificate: ${problems.join('; ')}${upload.length === 0 ? '' : ` (upload status: ${upload.join(' - ')})`}`;
}

function finish(report: UploadReport, args: UploadArgs, out: RenewOutput): number {
  const code = report.outcome === 'uploaded' || report.outcome === 'dry-run' ? EXIT_OK : report.outcome === 'refused' ? EXIT_REFUSED : EXIT_FAILED;
  if (args.json) out.stdout(JSON.stringify(report, null, 2));
  return code;
}

export async function uploadCommand(deps: UploadDeps, args: UploadArgs): Promise<number> {
  const { out } = deps;
  const report: UploadReport = { file: args.file, outcome: 'failed', current: null, checks: [], error: null, after: null, check: null, notes: [] };
  const fail = (message: string): number => {
    report.outcome = 'failed';
    report.error = message;
    if (!args.json) out.stderr(`apns-monitor renew: ${message}`);
    return finish(report, args, out);
  };
  const text = (line: string) => void (args.json ? undefined : out.stdout(line));

  // The file first: a key, a CSR or a bundle is refused without signing in at all.
  const file = await readCertificateFile(args.file);
  if (file.kind === 'unreadable') return fail(file.reason);
  if (file.kind === 'refused') {
    report.outcome = 'refused';
    report.checks.push({ name: 'certificate', result: 'refused', why: file.reason });
    text(`renew upload: checking ${args.file}`);
    text(checkLine({ name: 'certificate', passed: false, why: file.reason }));
    text('REFUSED - nothing was uploaded');
    return finish(report, args, out);
  }
  const facts = file.certificate;

  try {
    const current = await deps.graph.readCurrent();
    if (current === null) {
      return fail('Intune has no Apple MDM push certificate to renew: the first one is set up in the Intune admin center (Devices › Enrollment › Apple › MDM Push Certificate)');
    }
    report.current = current;
    const verdict = runRenewalChecks(facts, current, { now: deps.now(), appleId: args.appleId, allowNewTopic: args.allowNewTopic, allowAppleIdChange: args.allowAppleIdChange });
    report.checks = verdict.checks.map((c) => ({ name: c.name, result: c.passed ? 'passed' : 'refused', why: c.why }));
    text(`renew upload: checking ${args.file} against the current push certificate (${describeCurrent(current)})`);
    for (const c of verdict.checks) text(checkLine(c));
    if (!verdict.passed || verdict.appleIdentifier === null) {
      report.outcome = 'refused';
      text(`REFUSED - nothing was uploaded (${plural(verdict.checks.filter((c) => !c.passed).length, 'check')} refused)`);
      return finish(report, args, out);
    }

    if (verdict.newTopic && deps.interactive && !args.dryRun) {
      // Reading the directory's name may be refused (it needs User.Read or Organization.Read.All); TENANT_NAME then has to say it.
      const name = deps.tenantName ?? (await deps.graph.organizationName().catch(() => null));
      if (name === null) return fail('cannot ask for the confirmation of a new topic: set TENANT_NAME (Graph did not report the directory\'s display name)');
      const typed = await deps.readLine(`This certificate has a NEW topic: every enrolled device must re-enroll. Type the tenant's name (${name}) to upload it anyway: `);
      if (typed === null || typed.trim() !== name) {
        report.outcome = 'refused';
        report.checks.push({ name: 'confirmation', result: 'refused', why: 'the tenant\'s name was not typed' });
        text('  REFUSED  confirmation: the tenant\'s name was not typed');
        text('REFUSED - nothing was uploaded');
        return finish(report, args, out);
      }
      report.checks.push({ name: 'confirmation', result: 'passed', why: 'the tenant\'s name was typed' });
    }

    if (args.dryRun) {
      report.outcome = 'dry-run';
      text('DRY RUN - every check passed; nothing was uploaded (run without --dry-run to upload)');
      return finish(report, args, out);
    }

    await deps.graph.upload(verdict.appleIdentifier, facts.pem);
    const after = await deps.graph.readCurrent();
    report.after = after;
    const expectedTopic = verdict.newTopic ? facts.topic : current.topicIdentifier;
    const problem = confirmationProblem(after, facts, expectedTopic, verdict.appleIdentifier);
    if (problem !== null || after === null) return fail(`${problem ?? 'Graph now reports no push certificate'}. Check the certificate in the Intune admin center before anything else`);
    report.outcome = 'uploaded';
    text(`UPLOADED - Graph now reports the push certificate ${describeCurrent(after)}, serial ${after.certificateSerialNumber ?? facts.serialNumber}`);

    if (deps.afterUpload === null) {
      const note = 'no storage is configured (AzureWebJobsStorage): the renewal is not recorded in history and no check ran here; the monitor\'s next scheduled check sees the new expiry and sends the renewed alert';
      report.notes.push(note);
      if (!args.json) out.stderr(`apns-monitor renew: ${note}`);
      return finish(report, args, out);
    }
    const renewal: RenewalRecord = {
      at: deps.now().toISOString(),
      previous: { appleIdentifier: current.appleIdentifier, topicIdentifier: current.topicIdentifier, expirationDateTime: current.expirationDateTime, certificateSerialNumber: current.certificateSerialNumber },
      uploaded: { appleIdentifier: after.appleIdentifier, topicIdentifier: after.topicIdentifier, expirationDateTime: after.expirationDateTime, certificateSerialNumber: after.certificateSerialNumber ?? facts.serialNumber },
      auth: deps.auth,
      newTopicAllowed: verdict.newTopic,
      appleIdChangeAllowed: verdict.appleIdChanged,
    };
    const followUp = await deps.afterUpload(renewal);
    report.check = followUp.check;
    report.notes.push(...followUp.lines, ...followUp.warnings);
    for (const line of followUp.lines) text(line);
    if (!args.json) for (const w of followUp.warnings) out.stderr(`apns-monitor renew: ${w}`);
    return finish(report, args, out);
  } catch (error) {
    if (error instanceof RenewalGraphError) return fail(error.message);
    throw error;
  }
}

export interface CsrDeps {
  graph: RenewalGraph;
  out: RenewOutput;
}

export interface CsrArgs {
  outFile: string;
  json: boolean;
}

/** Downloads the CSR, writes it exactly as Graph returned it, and says what to do with it. */
export async function csrCommand(deps: CsrDeps, args: CsrArgs): Promise<number> {
  const { out } = deps;
  let csr: string;
  let current: ApnsCertificate | null;
  try {
    csr = await deps.graph.downloadCsr();
    current = await deps.graph.readCurrent();
  } catch (error) {
    if (!(error instanceof RenewalGraphError)) throw error;
    if (args.json) out.stdout(JSON.stringify({ file: null, error: error.message }, null, 2));
    else out.stderr(`apns-monitor renew: ${error.message}`);
    return EXIT_FAILED;
  }
  try {
    await writeFile(args.outFile, csr, 'utf8');
  } catch (error) {
    const message = `cannot write ${args.outFile}: ${error instanceof Error ? error.message : String(error)}`;
    if (args.json) out.stdout(JSON.stringify({ file: null, error: message }, null, 2));
    else out.stderr(`apns-monitor renew: ${message}`);
    return EXIT_FAILED;
  }
  if (args.json) {
    out.stdout(JSON.stringify({ file: args.outFile, bytes: Buffer.byteLength(csr, 'utf8'), appleIdentifier: current?.appleIdentifier ?? null, topicIdentifier: current?.topicIdentifier ?? null, expirationDateTime: current?.expirationDateTime ?? null, error: null }, null, 2));
    return EXIT_OK;
  }
  out.stdout(`Wrote the certificate signing request to ${args.outFile} (${Buffer.byteLength(csr, 'utf8')} bytes, exactly as Graph returned it).`);
  out.stdout('Next:');
  if (current === null) {
    out.stdout('  Intune has no push certificate yet: there is nothing to renew. Set up the first one in the Intune admin center.');
    return EXIT_OK;
  }
  out.stdout(`  1. Sign in to Apple's Push Certificates Portal (${APPLE_PUSH_PORTAL}) with the Apple ID ${current.appleIdentifier ?? '(unknown: Graph does not report it; use the one the certificate was created with)'}.`);
  out.stdout(`  2. In the list, find the certificate with the topic ${current.topicIdentifier ?? '(unknown)'} (expires ${day(current.expirationDateTime)}) and choose **Renew**, never Create a Certificate.`);
  out.stdout(`  3. Upload ${args.outFile} there and download the renewed certificate (.pem).`);
  out.stdout('  4. Check it and upload it to Intune: apns-monitor renew upload <the .pem> (add --dry-run to check only).');
  return EXIT_OK;
}
