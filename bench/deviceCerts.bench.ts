/**
 * `npm run bench:device-certs` (issue 12): 200,000 device certificates in pages of 1,000 from the
 * loopback Graph double, through the real Graph client, the streaming scan and Azurite.
 *
 * Printed from one run, each beside its floor as a ratio: the scan's wall time and certificates per
 * second against a loop that only fetches and JSON.parses the same pages; peak RSS above the process's
 * baseline (each measured in a child process of its own, so nothing else lives in its heap); Table
 * requests of the first check, of a second check with nothing changed, and of a check that watches
 * the push certificate only (counted by a proxy in front of Azurite). Asserts nothing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ClientSecretCredential } from '@azure/identity';
import { checkDeps, createRuntime, type Runtime } from '../src/app/runtime';
import { runCheck } from '../src/check/runCheck';
import { startAzurite } from '../test/doubles/azurite';
import { certificateStatePage, type CertificateFleetOptions } from '../test/doubles/deviceCertificates';
import { apnsCertificate, GraphDouble } from '../test/doubles/graphDouble';

const COUNT = 200_000;
const PAGE = 1000;
const PATH = '/beta/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates';
const SELECT = 'managedDeviceDisplayName,userPrincipalName,certificateSubjectName,certificateIssuerName,certificateExpirationDateTime,certificateThumbprint,certificateSerialNumber,certificateRevokeStatus';
const MiB = 1024 * 1024;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface ChildConfig {
  env: Record<string, string>;
  proxy: string;
  now: string;
}

interface Measured {
  wallMs: number;
  peakAboveBaselineMiB: number;
  certificates: number;
}

/** Peak RSS while `work` runs, sampled every 2 ms, above the RSS just before it (after a GC when exposed). */
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; wallMs: number; peakAboveBaselineMiB: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 2);
  const start = performance.now();
  try {
    const result = await work();
    const wallMs = performance.now() - start;
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, wallMs, peakAboveBaselineMiB: (peak - baseline) / MiB };
  } finally {
    clearInterval(timer);
  }
}

async function tableRequests(proxy: string): Promise<number> {
  return Number(await (await fetch(`${proxy}/__count`)).text());
}

/** The floor: fetch every page (same URL, same $select) and JSON.parse it, nothing else. */
async function floorChild(config: ChildConfig): Promise<Measured> {
  const credential = new ClientSecretCredential(config.env['AZURE_TENANT_ID']!, config.env['AZURE_CLIENT_ID']!, config.env['AZURE_CLIENT_SECRET']!, { authorityHost: config.env['AZURE_AUTHORITY_HOST']!, disableInstanceDiscovery: true });
  const origin = config.env['GRAPH_ENDPOINT']!;
  const token = (await credential.getToken(`${origin}/.default`)).token;
  const m = await measure(async () => {
    let count = 0;
    let next: string | null = `${origin}${PATH}?$select=${SELECT}&$top=${PAGE}`;
    while (next !== null) {
      const res = await fetch(next, { headers: { authorization: `Bearer ${token}` } });
      const body = JSON.parse(await res.text()) as { value: unknown[]; '@odata.nextLink'?: string };
      count += body.value.length;
      next = body['@odata.nextLink'] ?? null;
    }
    return count;
  });
  return { wallMs: m.wallMs, peakAboveBaselineMiB: m.peakAboveBaselineMiB, certificates: m.result };
}

/** The scan alone (Graph client, deadlines, parse, supersession, summary), then whole checks. */
async function scanChild(config: ChildConfig): Promise<Record<string, unknown>> {
  const now = new Date(config.now);
  const make = (watch: string): Runtime => createRuntime({ ...config.env, WATCH: watch }, { deviceCertificatePageSize: PAGE });
  const runtime = make('apns,device_certificate');
  const apnsOnly = make('apns');
  // Warm-up outside the measurement: a token, the tables, one APNs-only check.
  await runCheck(checkDeps(apnsOnly, quiet, () => now));
  const scan = await measure(async () => runtime.deviceCertificates!.scan(undefined, now));
  if (scan.result.kind !== 'complete') throw new Error(`the scan failed: ${scan.result.error}`);
  const summary = scan.result.result.summary;

  let before = await tableRequests(config.proxy);
  const first = await measure(() => runCheck(checkDeps(runtime, quiet, () => now)));
  const firstRequests = (await tableRequests(config.proxy)) - before;

  const later = new Date(now.getTime() + 60_000);
  before = await tableRequests(config.proxy);
  const second = await measure(() => runCheck(checkDeps(runtime, quiet, () => later)));
  const secondRequests = (await tableRequests(config.proxy)) - before;

  before = await tableRequests(config.proxy);
  await runCheck(checkDeps(apnsOnly, quiet, () => new Date(later.getTime() + 1000)));
  const apnsRequests = (await tableRequests(config.proxy)) - before;

  return {
    scan: { wallMs: scan.wallMs, peakAboveBaselineMiB: scan.peakAboveBaselineMiB, certificates: summary.scanned },
    summary: { scanned: summary.scanned, superseded: summary.superseded, totalAtRisk: summary.totalAtRisk, expired: summary.expired, revocationFailed: summary.revocationFailed },
    first: { wallMs: first.wallMs, peakAboveBaselineMiB: first.peakAboveBaselineMiB, tableRequests: firstRequests, alerts: first.result.alerts.filter((a) => a.subject === 'device_certificate').length },
    second: { wallMs: second.wallMs, tableRequests: secondRequests, alerts: second.result.alerts.length },
    apnsOnly: { tableRequests: apnsRequests },
  };
}

/** A proxy in front of Azurite that counts the requests the monitor makes (GET /__count reads it). */
function countingProxy(target: number): Promise<{ server: Server; url: string }> {
  let count = 0;
  const server = createServer((req, res) => {
    if (req.url === '/__count') return void res.end(String(count));
    count += 1;
    const upstream = httpRequest({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${target}` } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

function runChild(mode: 'floor' | 'scan', config: ChildConfig): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', __filename, '--child', mode], { env: { ...process.env, BENCH_CHILD: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${mode} child exited ${code}: ${out}`))));
  });
}

const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`);

async function main(): Promise<void> {
  const now = new Date();
  const fleet: CertificateFleetOptions = { count: COUNT, now, seed: 12 };
  const azurite = await startAzurite();
  const proxy = await countingProxy(azurite.port);
  const graph = await new GraphDouble().start();
  graph.certificate = apnsCertificate(new Date(now.getTime() + 200 * 86_400_000).toISOString());
  // Pages made on demand: the double never holds 200,000 certificates either.
  graph.deviceCertificateStates = { total: COUNT, page: (skip, count) => (count === 0 ? [] : certificateStatePage(fleet, Math.floor(skip / PAGE), PAGE).slice(0, count)) };
  const connection = azurite.connectionString.replace(/TableEndpoint=[^;]+/, `TableEndpoint=${proxy.url}/devstoreaccount1`);
  const config: ChildConfig = { env: { ...graph.env(), AzureWebJobsStorage: connection, TABLE_PREFIX: 'BenchDevices', TENANT_NAME: 'Bench' }, proxy: proxy.url, now: now.toISOString() };
  try {
    const floor = JSON.parse(await runChild('floor', config)) as Measured;
    const scan = JSON.parse(await runChild('scan', config)) as { scan: Measured; summary: Record<string, number>; first: { wallMs: number; peakAboveBaselineMiB: number; tableRequests: number; alerts: number }; second: { wallMs: number; tableRequests: number; alerts: number }; apnsOnly: { tableRequests: number } };
    const rate = (m: Measured) => (m.certificates / m.wallMs) * 1000;
    console.log(`device certificates: ${COUNT.toLocaleString('en-US')} in pages of ${PAGE} from the loopback Graph double (node ${process.version}, ${execFileSync('nproc').toString().trim()} cores)`);
    console.log(`  fleet as scanned: ${JSON.stringify(scan.summary)}`);
    console.log(`  floor (fetch + JSON.parse only):  ${floor.wallMs.toFixed(0)} ms, ${rate(floor).toFixed(0)} certs/s, peak RSS +${floor.peakAboveBaselineMiB.toFixed(1)} MiB`);
    console.log(`  scan (Graph client, deadlines, parse, supersession, summary): ${scan.scan.wallMs.toFixed(0)} ms, ${rate(scan.scan).toFixed(0)} certs/s = ${ratio(rate(scan.scan), rate(floor))} the floor's throughput (goal ≥ 0.50×), peak RSS +${scan.scan.peakAboveBaselineMiB.toFixed(1)} MiB (goal ≤ 150 MiB; floor +${floor.peakAboveBaselineMiB.toFixed(1)} MiB, ${ratio(scan.scan.peakAboveBaselineMiB, floor.peakAboveBaselineMiB)})`);
    console.log(`  first check (scan, list rows written, state and ${scan.first.alerts} alerts committed, push certificate too): ${scan.first.wallMs.toFixed(0)} ms = ${ratio(scan.first.wallMs, floor.wallMs)} the floor's time, ${scan.first.tableRequests} Table requests`);
    console.log(`  second check, nothing changed: ${scan.second.wallMs.toFixed(0)} ms, ${scan.second.alerts} alerts, ${scan.second.tableRequests} Table requests vs ${scan.apnsOnly.tableRequests} for a check of the push certificate only: +${scan.second.tableRequests - scan.apnsOnly.tableRequests} (goal ≤ +5)`);
  } finally {
    await graph.close();
    proxy.server.close();
    await azurite.stop();
  }
}

if (process.argv[2] === '--child') {
  const config = JSON.parse(process.env['BENCH_CHILD'] ?? '{}') as ChildConfig;
  const mode = process.argv[3];
  (mode === 'floor' ? floorChild(config) : scanChild(config)).then(
    (r) => process.stdout.write(JSON.stringify(r)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
} else {
  void main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
