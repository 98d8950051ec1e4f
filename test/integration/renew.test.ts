import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRuntime } from '../../src/app/runtime';
import { renewCommand, type RenewIO } from '../../src/cli/renew';
import { main } from '../../src/cli/main';
import { apnsCertificate, GraphDouble } from '../doubles/graphDouble';
import { checkAt, storageEnv, testRuntime } from '../support/harness';
import { APPLE_CA_SUBJECT, PushCertificateFactory } from '../support/pushCertificates';

const DAY = 86_400_000;
const TOPIC = 'com.apple.mgmt.External.8b9f2a3c-1d2e-4f50-9a6b-7c8d9e0f1a2b';
const OTHER_TOPIC = 'com.apple.mgmt.External.0f0e0d0c-0b0a-4908-8706-050403020100';
const APPLE_ID = 'intune-apns@contoso.com';

const graph = new GraphDouble();
const certs = new PushCertificateFactory();
const files: Record<string, string> = {};

beforeAll(async () => {
  await graph.start();
  certs.ca('apple', APPLE_CA_SUBJECT);
  certs.ca('other', '/CN=Contoso Issuing CA/O=Contoso/C=US');
  files['right'] = certs.leaf('right', 'apple', TOPIC, 365);
  files['rightDer'] = certs.der('right');
  files['wrongUid'] = certs.leaf('wrongUid', 'apple', OTHER_TOPIC, 365);
  files['earlier'] = certs.leaf('earlier', 'apple', TOPIC, 10);
  files['shortLived'] = certs.leaf('shortLived', 'apple', TOPIC, 2);
  files['nonApple'] = certs.leaf('nonApple', 'other', TOPIC, 365);
  files['key'] = certs.path('right.key');
  files['csr'] = certs.path('right.csr');
  files['bundle'] = certs.bundle('bundle.pem', files['right'], certs.path('apple.pem'));
});
afterAll(async () => {
  await graph.close();
  certs.remove();
});

/** The tenant before each test: a certificate with 20 days left, the same topic and Apple ID. */
beforeEach(() => {
  graph.certificate = apnsCertificate(new Date(Date.now() + 20 * DAY).toISOString(), { topicIdentifier: TOPIC, appleIdentifier: APPLE_ID });
  graph.patches.length = 0;
  graph.patchScript.length = 0;
  graph.patchMode = 'apply';
  graph.organizationDisplayName = 'Contoso Ltd';
});

interface Run {
  out: string[];
  err: string[];
  io: RenewIO;
  prompts: string[];
}

function run(env: Record<string, string>, options: { now?: Date; terminal?: boolean; typed?: string | null } = {}): Run {
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  return {
    out,
    err,
    prompts,
    io: {
      env,
      now: () => options.now ?? new Date(),
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      isTerminal: options.terminal ?? false,
      readLine: async (prompt) => {
        prompts.push(prompt);
        return options.typed ?? null;
      },
      runtime: (e) => createRuntime(e, { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 } }),
      graph: { retryDelaySeconds: 0 },
    },
  };
}

const appEnv = () => ({ ...graph.env(), ...storageEnv() });
const patches = () => graph.patches.length;

describe('renew upload: the passing cases PATCH, confirm, record and check', () => {
  test('a renewal (same UID, later expiry, Apple CA): PATCH carries the PEM and the Apple ID; the re-read confirms; history and a check with the renewed alert follow', async () => {
    const env = appEnv();
    await checkAt(testRuntime(env), new Date());
    const r = run(env);
    expect(await renewCommand(['upload', files['right']!, '--json'], r.io)).toBe(0);
    expect(graph.patches).toHaveLength(1);
    const patch = graph.patches[0]!;
    expect(patch.appleIdentifier).toBe(APPLE_ID);
    expect(patch.certificate).toBe(`${readFileSync(files['right']!, 'utf8').trim()}\n`);
    const report = JSON.parse(r.out.join('\n')) as { outcome: string; checks: Array<{ result: string }>; check: { alerts: string[] }; after: { topicIdentifier: string } };
    expect(report.outcome).toBe('uploaded');
    expect(report.checks.every((c) => c.result === 'passed')).toBe(true);
    expect(report.after.topicIdentifier).toBe(TOPIC);
    expect(report.check.alerts).toEqual(['renewed']);
    const history = await testRuntime(env).store.listHistory(20);
    const renewal = history.find((h) => h.type === 'renewal');
    expect(renewal).toMatchObject({ type: 'renewal', renewal: { auth: 'app', newTopicAllowed: false, previous: { topicIdentifier: TOPIC }, uploaded: { topicIdentifier: TOPIC, appleIdentifier: APPLE_ID } } });
  });

  test('text output: one line per check, then UPLOADED', async () => {
    const r = run(appEnv());
    expect(await renewCommand(['upload', files['right']!], r.io)).toBe(0);
    const checkLines = r.out.filter((l) => /^ {2}(passed |REFUSED)/.test(l));
    expect(checkLines.map((l) => l.trim().split(/\s+/)[1])).toEqual(['certificate:', 'issuer:', 'valid-now:', 'expiry:', 'topic:', 'apple-id:']);
    expect(checkLines.every((l) => l.startsWith('  passed'))).toBe(true);
    expect(r.out.some((l) => l.startsWith('UPLOADED - '))).toBe(true);
  });

  test('the DER form of the same certificate passes and is uploaded as PEM', async () => {
    const r = run(appEnv());
    expect(await renewCommand(['upload', files['rightDer']!], r.io)).toBe(0);
    expect(graph.patches).toHaveLength(1);
    expect(String(graph.patches[0]!.certificate)).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
  });

  test('--dry-run sends nothing and exits 0', async () => {
    const before = graph.requests.length;
    const r = run(appEnv());
    expect(await renewCommand(['upload', files['right']!, '--dry-run'], r.io)).toBe(0);
    expect(patches()).toBe(0);
    expect(graph.requests.slice(before).some((q) => q.method === 'PATCH')).toBe(false);
    expect(r.out.at(-1)).toMatch(/^DRY RUN - every check passed; nothing was uploaded/);
  });

  test('another Apple ID: refused without --allow-apple-id-change, sent with it', async () => {
    const refused = run(appEnv());
    expect(await renewCommand(['upload', files['right']!, '--apple-id', 'someone-else@contoso.com'], refused.io)).toBe(2);
    expect(refused.out.join('\n')).toMatch(/REFUSED {2}apple-id: --apple-id someone-else@contoso.com differs from the current Apple ID intune-apns@contoso.com/);
    expect(patches()).toBe(0);
    const allowed = run(appEnv());
    expect(await renewCommand(['upload', files['right']!, '--apple-id', 'someone-else@contoso.com', '--allow-apple-id-change'], allowed.io)).toBe(0);
    expect(graph.patches.map((p) => p.appleIdentifier)).toEqual(['someone-else@contoso.com']);
  });

  test('without storage settings the upload is done and confirmed, and the command says nothing was recorded', async () => {
    const r = run({ ...graph.env() });
    expect(await renewCommand(['upload', files['right']!], r.io)).toBe(0);
    expect(patches()).toBe(1);
    expect(r.err.join('\n')).toMatch(/no storage is configured \(AzureWebJobsStorage\): the renewal is not recorded/);
  });
});

test('storage that fails after a confirmed upload is reported on stderr and does not turn the upload into a failure', async () => {
  const r = run({ ...graph.env(), AzureWebJobsStorage: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5a2V5a2V5a2V5;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;' });
  expect(await renewCommand(['upload', files['right']!], r.io)).toBe(0);
  expect(patches()).toBe(1);
  const warnings = r.err.filter((l) => l.startsWith('apns-monitor renew: '));
  expect(warnings.map((l) => l.replace(/:.*$/s, ''))).toEqual(['apns-monitor renew', 'apns-monitor renew']);
  expect(warnings[0]).toMatch(/the renewal could not be recorded in history/);
  expect(warnings[1]).toMatch(/the check after the upload failed/);
  expect(r.err.join('\n')).not.toContain('a2V5a2V5a2V5a2V5');
});

describe('renew upload: every refusal exits 2 with its reason and sends nothing', () => {
  test.each([
    ['a wrong UID (a new certificate)', 'wrongUid', /REFUSED {2}topic: topic com\.apple\.mgmt\.External\.0f0e0d0c-\S+ differs from the current com\.apple\.mgmt\.External\.8b9f2a3c-\S+: this is a NEW certificate, not a renewal, and uploading it would cut every enrolled device off/],
    ['an earlier expiry', 'earlier', /REFUSED {2}expiry: expires \S+, not later than the current certificate/],
    ['a non-Apple issuer', 'nonApple', /REFUSED {2}issuer: issued by "Contoso Issuing CA", not by Apple's "Apple Application Integration 2 Certification Authority"/],
    ['a private key', 'key', /REFUSED {2}certificate: the file holds a private key, not a certificate/],
    ['a CSR', 'csr', /REFUSED {2}certificate: the file is a certificate signing request \(CSR\)/],
    ['a bundle of two certificates', 'bundle', /REFUSED {2}certificate: the file is a bundle of 2 certificates/],
  ])('%s', async (_label, file, reason) => {
    const requestsBefore = graph.requests.length;
    const r = run(appEnv());
    expect(await renewCommand(['upload', files[file]!], r.io)).toBe(2);
    expect(r.out.join('\n')).toMatch(reason);
    expect(r.out.at(-1)).toMatch(/^REFUSED - nothing was uploaded( \((1 check|[2-9] checks) refused\))?$/);
    expect(patches()).toBe(0);
    expect(graph.requests.slice(requestsBefore).some((q) => q.method === 'PATCH')).toBe(false);
  });

  test('a key, a CSR or a bundle is refused before signing in: no request at all', async () => {
    for (const file of ['key', 'csr', 'bundle']) {
      const before = graph.requests.length;
      expect(await renewCommand(['upload', files[file]!], run(appEnv()).io)).toBe(2);
      expect(graph.requests.length).toBe(before);
    }
  });

  test('an expired certificate (the clock past its end) is refused', async () => {
    // The tenant's certificate expires in 12 hours; the command runs 3 days on, past the file's 2 days.
    graph.certificate = apnsCertificate(new Date(Date.now() + 0.5 * DAY).toISOString(), { topicIdentifier: TOPIC, appleIdentifier: APPLE_ID });
    const r = run(appEnv(), { now: new Date(Date.now() + 3 * DAY) });
    expect(await renewCommand(['upload', files['shortLived']!], r.io)).toBe(2);
    expect(r.out.join('\n')).toMatch(/REFUSED {2}valid-now: expired on /);
    expect(patches()).toBe(0);
  });

  test('--json carries every check with its result', async () => {
    const r = run(appEnv());
    expect(await renewCommand(['upload', files['wrongUid']!, '--json'], r.io)).toBe(2);
    const report = JSON.parse(r.out.join('\n')) as { outcome: string; checks: Array<{ name: string; result: string }> };
    expect(report.outcome).toBe('refused');
    expect(report.checks.find((c) => c.name === 'topic')?.result).toBe('refused');
    expect(report.checks.filter((c) => c.result === 'refused')).toHaveLength(1);
  });
});

describe('renew upload: a new topic only with --allow-new-topic, and on a terminal only with the tenant typed', () => {
  test('off a terminal --allow-new-topic lets it through; the re-read must show the new topic', async () => {
    const r = run(appEnv());
    expect(await renewCommand(['upload', files['wrongUid']!, '--allow-new-topic'], r.io)).toBe(0);
    expect(patches()).toBe(1);
    expect(r.prompts).toEqual([]);
    expect(r.out.join('\n')).toMatch(/passed {3}topic: NEW topic .* allowed by --allow-new-topic: every enrolled device must re-enroll/);
  });

  test('on a terminal: a wrong name refuses (2), TENANT_NAME typed uploads', async () => {
    const wrong = run({ ...appEnv(), TENANT_NAME: 'Contoso' }, { terminal: true, typed: 'contoso?' });
    expect(await renewCommand(['upload', files['wrongUid']!, '--allow-new-topic', '--auth', 'app'], wrong.io)).toBe(2);
    expect(wrong.prompts).toHaveLength(1);
    expect(wrong.prompts[0]).toMatch(/Type the tenant's name \(Contoso\)/);
    expect(patches()).toBe(0);
    const right = run({ ...appEnv(), TENANT_NAME: 'Contoso' }, { terminal: true, typed: 'Contoso' });
    expect(await renewCommand(['upload', files['wrongUid']!, '--allow-new-topic', '--auth', 'app'], right.io)).toBe(0);
    expect(patches()).toBe(1);
  });

  test('on a terminal without TENANT_NAME the directory display name from GET /organization is asked for', async () => {
    const r = run(appEnv(), { terminal: true, typed: 'Contoso Ltd' });
    expect(await renewCommand(['upload', files['wrongUid']!, '--allow-new-topic', '--auth', 'app'], r.io)).toBe(0);
    expect(r.prompts[0]).toMatch(/\(Contoso Ltd\)/);
    expect(graph.requests.some((q) => q.method === 'GET' && q.path.startsWith('/v1.0/organization'))).toBe(true);
  });

  test('without TENANT_NAME and without a display name from Graph, the command cannot ask and exits 3 naming TENANT_NAME', async () => {
    graph.organizationDisplayName = null;
    const r = run(appEnv(), { terminal: true, typed: 'anything' });
    expect(await renewCommand(['upload', files['wrongUid']!, '--allow-new-topic', '--auth', 'app'], r.io)).toBe(3);
    expect(r.err[0]).toMatch(/cannot ask for the confirmation of a new topic: set TENANT_NAME/);
    expect(r.prompts).toEqual([]);
    expect(patches()).toBe(0);
  });

  test('end of input at the prompt refuses', async () => {
    const r = run(appEnv(), { terminal: true, typed: null });
    expect(await renewCommand(['upload', files['wrongUid']!, '--allow-new-topic', '--auth', 'app'], r.io)).toBe(2);
    expect(patches()).toBe(0);
  });
});

describe('renew upload: could not run or could not confirm exits 3', () => {
  test('a PATCH that "succeeds" without changing the certificate: exit 3, saying what Graph shows', async () => {
    graph.patchMode = 'ignore';
    const env = appEnv();
    const r = run(env);
    expect(await renewCommand(['upload', files['right']!], r.io)).toBe(3);
    expect(patches()).toBe(1);
    expect(r.err.join('\n')).toMatch(/Graph accepted the upload but does not show the uploaded certificate: its expiry is /);
    expect((await testRuntime(env).store.listHistory(20)).some((h) => h.type === 'renewal')).toBe(false);
  });

  test('a 403 names the permission and the Intune Administrator role', async () => {
    graph.patchScript.push({ status: 403, body: { error: { code: 'Forbidden', message: 'Application is not authorized to perform this operation.' } } });
    const r = run(appEnv());
    expect(await renewCommand(['upload', files['right']!], r.io)).toBe(3);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/403 Forbidden: .*DeviceManagementServiceConfig\.ReadWrite\.All.*Intune Administrator role/);
    expect(r.err[0]).not.toContain(graph.clientSecret);
  });

  test('a missing file exits 3 without a request', async () => {
    const before = graph.requests.length;
    const r = run(appEnv());
    expect(await renewCommand(['upload', certs.path('nope.pem')], r.io)).toBe(3);
    expect(r.err[0]).toMatch(/cannot read .*nope\.pem: no such file/);
    expect(graph.requests.length).toBe(before);
  });

  test('a tenant without a push certificate has nothing to renew', async () => {
    graph.certificate = null;
    const r = run(appEnv());
    expect(await renewCommand(['upload', files['right']!], r.io)).toBe(3);
    expect(r.err[0]).toMatch(/Intune has no Apple MDM push certificate to renew/);
  });

  test('a bad client secret: one line about the token, exit 3, no secret echoed', async () => {
    const r = run({ ...appEnv(), AZURE_CLIENT_SECRET: 'wrong-secret-0123456789abcdef' });
    expect(await renewCommand(['upload', files['right']!], r.io)).toBe(3);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/could not get a Graph token from Entra ID/);
    expect(r.err[0]).not.toContain('wrong-secret-0123456789abcdef');
    expect(patches()).toBe(0);
  });
});

describe('renew csr', () => {
  test('writes exactly what Graph returned and prints the next steps with this tenant\'s facts', async () => {
    graph.csr = '-----BEGIN NEW CERTIFICATE REQUEST-----\r\nMIIBzzCCATgCAQAwgY4x\u00e9\r\n-----END NEW CERTIFICATE REQUEST-----\r\n';
    const out = certs.path('IntuneCSR.csr');
    const r = run(appEnv());
    expect(await renewCommand(['csr', '--out', out], r.io)).toBe(0);
    expect(readFileSync(out)).toEqual(Buffer.from(graph.csr, 'utf8'));
    const text = r.out.join('\n');
    expect(text).toContain(`with the Apple ID ${APPLE_ID}`);
    expect(text).toContain(`the topic ${TOPIC}`);
    expect(text).toContain('choose **Renew**, never Create a Certificate');
    expect(text).toContain('https://identity.apple.com/pushcert');
  });

  test('--auth device-code signs a person in through the device-code flow (pending once), prompt on stderr, nothing on stdout but the result', async () => {
    graph.csr = 'CSR-FROM-DEVICE-CODE';
    graph.deviceCodePendingPolls = 1;
    const env = { AZURE_TENANT_ID: graph.tenantId, AZURE_AUTHORITY_HOST: graph.origin, GRAPH_ENDPOINT: graph.origin, RENEW_CLIENT_ID: graph.publicClientId };
    const out = certs.path('device.csr');
    const r = run(env);
    expect(await renewCommand(['csr', '--out', out, '--auth', 'device-code'], r.io)).toBe(0);
    // One sign-in for the whole command: the token is kept in memory and reused.
    expect(r.err).toHaveLength(1);
    expect(readFileSync(out, 'utf8')).toBe('CSR-FROM-DEVICE-CODE');
    expect(r.err.join('\n')).toMatch(/enter the code DBLCODE12/);
    expect(r.out.join('\n')).not.toMatch(/DBLCODE12/);
    expect(graph.deviceCodeScopes.at(-1)).toContain(`${graph.origin}/DeviceManagementServiceConfig.ReadWrite.All`);
  });

  test('a declined device-code sign-in exits 3 with one line', async () => {
    graph.deviceCodeDeclined = true;
    try {
      const env = { AZURE_TENANT_ID: graph.tenantId, AZURE_AUTHORITY_HOST: graph.origin, GRAPH_ENDPOINT: graph.origin, RENEW_CLIENT_ID: graph.publicClientId };
      const r = run(env, { terminal: true });
      expect(await renewCommand(['csr', '--out', certs.path('declined.csr')], r.io)).toBe(3);
      expect(r.err.at(-1)).toMatch(/^apns-monitor renew: could not get a Graph token from Entra ID/);
      expect(r.err.join('\n')).not.toMatch(/\n\s+at /);
    } finally {
      graph.deviceCodeDeclined = false;
    }
  });
});

describe('renew: arguments and the hook in main', () => {
  test('--help prints the usage and exits 0; bad arguments exit 3 naming what was wrong', async () => {
    const help = run({});
    expect(await renewCommand(['upload', '--help'], help.io)).toBe(0);
    expect(help.out[0]).toMatch(/^usage: apns-monitor renew csr/);
    for (const [args, message] of [
      [['upload'], /renew upload needs the certificate file/],
      [['upload', 'a.pem', '--force'], /unknown option --force for renew upload/],
      [['upload', 'a.pem', '--auth', 'browser'], /--auth expects device-code or app, got "browser"/],
      [['csr', '--out'], /--out expects a value/],
      [['create'], /unknown subcommand create/],
    ] as const) {
      const r = run({});
      expect(await renewCommand([...args], r.io)).toBe(3);
      expect(r.err[0]).toMatch(message);
    }
  });

  test('a bad RENEW_CLIENT_ID is one line naming the setting', async () => {
    const r = run({ ...graph.env(), RENEW_CLIENT_ID: 'not-a-guid' });
    expect(await renewCommand(['csr', '--auth', 'device-code', '--out', certs.path('x.csr')], r.io)).toBe(3);
    expect(r.err).toEqual(['apns-monitor: Invalid setting RENEW_CLIENT_ID="not-a-guid": expected the application (client) ID of a public-client app registration, a GUID']);
  });

  test('apns-monitor renew … reaches the renew command through main', async () => {
    const r = run(appEnv());
    expect(await main(['renew', 'upload', files['right']!, '--dry-run'], { ...r.io, env: r.io.env })).toBe(0);
    expect(r.out.at(-1)).toMatch(/^DRY RUN/);
  });
});

const bin = join(__dirname, '..', '..', 'bin', 'apns-monitor.js');

test('the installed bin: renew upload of a key file refuses with exit 2, a dry run of the renewal exits 0 (off a terminal: --auth app)', async () => {
  const env = { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: process.env['NODE_EXTRA_CA_CERTS'] ?? '', ...graph.env() };
  const runBin = (args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ status: typeof error?.code === 'number' ? error.code : error === null ? 0 : -1, stdout, stderr });
      });
    });
  const key = await runBin(['renew', 'upload', files['key']!]);
  expect(key.status).toBe(2);
  expect(key.stdout).toMatch(/REFUSED {2}certificate: the file holds a private key/);
  const dry = await runBin(['renew', 'upload', files['right']!, '--dry-run']);
  expect(dry.stderr).not.toMatch(/\n\s+at /);
  expect(dry.stdout).toMatch(/DRY RUN - every check passed/);
  expect(dry.status).toBe(0);
});
