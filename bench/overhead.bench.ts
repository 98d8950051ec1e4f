/**
 * npm run bench: issue 14's table from one run. Each figure is printed beside a floor measured in the
 * same run on the same machine, as a ratio, with the issue's goal and PASS or MISS:
 *
 *   - loading the function app cold (dist/functions.js, as the worker loads it) vs `node -e ''`, and
 *     with what its first invocation loads (dist/app.js)
 *   - `apns-monitor check` as a process vs `node -e ''`, and vs a raw-node program sending the same
 *     requests (bench/rawCheck.ts)
 *   - Table and Graph requests per CLI check, counted by an HTTP proxy in front of Azurite
 *   - GET /api/status, the badge, the dashboard with 50, 500 and 5,000 history rows on
 *     `apns-monitor serve` vs bare node:http serving the same bytes (bench/bareServer.ts), the load
 *     from a separate keep-alive process (bench/loadgen.ts)
 *   - serve's RSS growth under that load vs the bare floor's, and peak RSS of each process
 *
 * Everything runs the bundles in dist/ (npm run build). Times are medians of alternating runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TableClient, TableTransaction } from '@azure/data-tables';
import { invertedTimeKey } from '../src/storage/monitorStore';
import { startAzurite, type RunningAzurite } from '../test/doubles/azurite';
import { apnsCertificate, GraphDouble } from '../test/doubles/graphDouble';

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist');
const bin = join(root, 'bin', 'apns-monitor.js');
const work = mkdtempSync(join(tmpdir(), 'apns-bench-'));
const LOAD_SECONDS = Number(process.env['BENCH_LOAD_SECONDS'] ?? '2');
const CONNECTIONS = 16;
const TIMED_RUNS = Number(process.env['BENCH_RUNS'] ?? '11');
/** BENCH_ONLY=load,cli,serve (any of them) measures only those parts while one works on them; all by default. */
/** BENCH_SERVE_NODE_ARGS: node options for the serve processes only (say --cpu-prof --cpu-prof-dir=DIR to profile them). */
const SERVE_NODE_ARGS = (process.env['BENCH_SERVE_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
const ONLY = new Set((process.env['BENCH_ONLY'] ?? 'load,cli,serve').split(',').map((p) => p.trim()));

interface Row {
  what: string;
  figure: string;
  floor: string;
  ratio: string;
  goal: string;
  verdict: 'PASS' | 'MISS' | '';
}
const rows: Row[] = [];

function row(what: string, figure: string, floor: string, ratio: number, ratioText: string, goal: string, pass: boolean | null): void {
  rows.push({ what, figure, floor, ratio: Number.isFinite(ratio) ? ratioText : 'n/a', goal, verdict: pass === null ? '' : pass ? 'PASS' : 'MISS' });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const ms = (n: number) => `${n.toFixed(0)} ms`;
const times = (n: number) => `${n.toFixed(2)}×`;
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const rps = (n: number) => `${Math.round(n).toLocaleString('en-US')} req/s`;
const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

/** Runs a process to its end; resolves with its wall time, stdout and exit code. */
function timed(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => void (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: performance.now() - started, stdout, stderr, code }));
  });
}

/** Alternates the commands, `runs` times each, so that load on the machine falls on all alike. */
async function alternate(commands: Array<{ args: string[]; env: NodeJS.ProcessEnv }>, runs: number): Promise<number[]> {
  const samples: number[][] = commands.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, command] of commands.entries()) {
      const r = await timed(command.args, command.env);
      if (r.code !== 0 && !/^APNS (OK|WARNING|CRITICAL)/.test(r.stdout)) throw new Error(`${command.args.join(' ')} failed (${r.code}): ${r.stdout}${r.stderr}`);
      samples[k]!.push(r.ms);
    }
  }
  return samples.map(median);
}

/** Peak RSS (KB) of a process, through the preloaded bench/peakRss.ts. */
async function peakRss(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const file = join(work, `peak-${Math.random().toString(36).slice(2)}`);
  await timed(['--require', join(dist, 'bench', 'peakRss.js'), ...args], { ...env, BENCH_PEAK_FILE: file });
  return Number(readFileSync(file, 'utf8').trim());
}

/** VmRSS and VmHWM (KB) of a running process, from /proc (Linux). */
function procMemory(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: field('VmRSS'), peak: field('VmHWM') };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

// ---- Table requests, counted by a proxy in front of Azurite -------------------------------------

interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

class CountingProxy {
  readonly requests: Recorded[] = [];
  private server: Server | null = null;
  port = 0;
  constructor(private readonly target: number) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        this.requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body });
        const upstream = request({ host: '127.0.0.1', port: this.target, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => res.destroy());
        upstream.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server === null ? resolve() : this.server.close(() => resolve())));
  }
}

function connectionString(azurite: RunningAzurite, port: number): string {
  return azurite.connectionString.replace(`127.0.0.1:${azurite.port}`, `127.0.0.1:${port}`);
}

// ---- serve and its floor --------------------------------------------------------------------------

function startProcess(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      const match = ready.exec(out);
      if (match !== null) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve({ child, match });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.resume();
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before it was ready: ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function load(url: string): Promise<{ rps: number; p99: number; failures: number }> {
  const r = await timed([join(dist, 'bench', 'loadgen.js'), url, String(LOAD_SECONDS), String(CONNECTIONS)], process.env);
  if (r.code !== 0) throw new Error(`loadgen ${url} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as { rps: number; p99: number; failures: number };
}

/** Fills the history table to `count` check rows, one per 6 h back from the one real check. */
async function fillHistory(azurite: RunningAzurite, prefix: string, count: number): Promise<void> {
  const client = TableClient.fromConnectionString(azurite.connectionString, `${prefix}History`, { allowInsecureConnection: true });
  let real: Record<string, unknown> | null = null;
  for await (const entity of client.listEntities<Record<string, unknown>>()) {
    if (entity['type'] === 'check') real = entity;
  }
  if (real === null) throw new Error(`no check row in ${prefix}History to copy`);
  const at = Date.parse(String(real['at']));
  const template = JSON.parse(String(real['body'])) as Record<string, unknown>;
  const clean = Object.fromEntries(Object.entries(real).filter(([k]) => !['etag', 'timestamp', 'odata.etag'].includes(k)));
  const entities = [];
  for (let i = 1; i < count; i++) {
    const when = new Date(at - i * 6 * 3_600_000).toISOString();
    entities.push({ ...clean, partitionKey: String(real['partitionKey']), rowKey: `${invertedTimeKey(when)}-c-bench${i}`, at: when, body: JSON.stringify({ ...template, checkedAt: when }) });
  }
  const batches: Array<typeof entities> = [];
  for (let i = 0; i < entities.length; i += 100) batches.push(entities.slice(i, i + 100));
  // A few transactions at a time: Azurite is one process too.
  for (let i = 0; i < batches.length; i += 4) {
    await Promise.all(
      batches.slice(i, i + 4).map((batch) => {
        const tx = new TableTransaction();
        for (const entity of batch) tx.upsertEntity(entity, 'Replace');
        return client.submitTransaction(tx.actions);
      }),
    );
  }
}

interface RouteFigure {
  serve: { rps: number; p99: number };
  bare: { rps: number; p99: number };
}

/** One serve process over one data set, and its bare floor serving the same bytes at the same paths. */
async function measureServe(env: NodeJS.ProcessEnv, paths: string[]): Promise<{ routes: Map<string, RouteFigure>; serveGrowth: number; bareGrowth: number; servePeak: number; barePeak: number }> {
  const serve = await startProcess([...SERVE_NODE_ARGS, bin, 'serve', '--port=0'], env, /Dashboard: (http:\/\/127\.0\.0\.1:\d+)\/api\/dashboard/);
  const base = serve.match[1]!;
  let bare: ChildProcess | null = null;
  try {
    const responses: Record<string, { status: number; contentType: string; bodyBase64: string }> = {};
    for (const path of paths) {
      const answer = await fetch(`${base}${path}`);
      const body = Buffer.from(await answer.arrayBuffer());
      if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${body.toString().slice(0, 200)}`);
      responses[path] = { status: answer.status, contentType: answer.headers.get('content-type') ?? 'application/octet-stream', bodyBase64: body.toString('base64') };
    }
    const file = join(work, `responses-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(responses));
    const started = await startProcess([join(dist, 'bench', 'bareServer.js'), file], process.env, /(http:\/\/127\.0\.0\.1:\d+)/);
    bare = started.child;
    const bareBase = started.match[1]!;
    for (const path of paths) await fetch(`${bareBase}${path}`).then((r) => r.arrayBuffer());
    const serveBefore = procMemory(serve.child.pid!).rss;
    const bareBefore = procMemory(bare.pid!).rss;
    const routes = new Map<string, RouteFigure>();
    for (const path of paths) {
      const floor = await load(`${bareBase}${path}`);
      const figure = await load(`${base}${path}`);
      if (figure.failures > 0 || floor.failures > 0) throw new Error(`${path}: ${figure.failures} failed answers from serve, ${floor.failures} from the floor`);
      routes.set(path, { serve: figure, bare: floor });
    }
    const serveMemory = procMemory(serve.child.pid!);
    const bareMemory = procMemory(bare.pid!);
    return { routes, serveGrowth: serveMemory.rss - serveBefore, bareGrowth: bareMemory.rss - bareBefore, servePeak: serveMemory.peak, barePeak: bareMemory.peak };
  } finally {
    await stop(serve.child);
    if (bare !== null) await stop(bare);
  }
}

// ---- the run ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  console.log(`bench: node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} at start`);
  const azurite = await startAzurite();
  const graph = await new GraphDouble().start();
  const peaks: Array<[string, number]> = [];
  try {
    graph.certificate = apnsCertificate(new Date(Date.now() + 200 * 86_400_000).toISOString());
    const bare = { args: ['-e', ''], env: process.env };
    const cliEnv = (storage: string, prefix: string): NodeJS.ProcessEnv => ({
      PATH: process.env['PATH'] ?? '',
      NODE_EXTRA_CA_CERTS: process.env['NODE_EXTRA_CA_CERTS'] ?? '',
      NODE_COMPILE_CACHE: join(work, 'compile-cache'),
      ...graph.env(),
      AzureWebJobsStorage: storage,
      TABLE_PREFIX: prefix,
    });
    // The issue's rows are about a steady-state check of the push certificate: the CLI rows watch it alone.
    const apnsOnly = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...env, WATCH: 'apns' });

    // 1. Cold load of the function app, as the worker loads it (a stand-in @azure/functions-core).
    if (ONLY.has('load')) {
      const coreStub = `const M=require('node:module');const core={setProgrammingModel(){},getProgrammingModel(){},registerFunction(){return{dispose(){}}},registerHook(){return{dispose(){}}},log(){}};const l=M._load;M._load=function(r,...a){return r==='@azure/functions-core'?core:l.call(this,r,...a)};`;
      const coldLoad = { args: ['-e', `${coreStub}require(${JSON.stringify(join(dist, 'functions.js'))})`], env: process.env };
      // What the first invocation adds: the handlers and the SDKs (dist/app.js, required on first use).
      const firstCall = { args: ['-e', `${coreStub}require(${JSON.stringify(join(dist, 'functions.js'))});require(${JSON.stringify(join(dist, 'app.js'))})`], env: process.env };
      const [loadMs, loadFloor, firstMs] = await alternate([coldLoad, bare, firstCall], TIMED_RUNS * 2);
      const meta = JSON.parse(readFileSync(join(dist, 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
      const modulesOf = (file: string) => Object.entries(meta.outputs[file]!.inputs).filter(([, v]) => v.bytesInOutput > 0);
      const modules = modulesOf('dist/functions.js');
      const appModules = modulesOf('dist/app.js');
      const dateFns = appModules.filter(([k]) => k.includes('node_modules/date-fns/')).length;
      row(`cold load of the function app (dist/functions.js: ${modules.length} modules, registers every function)`, ms(loadMs!), `${ms(loadFloor!)} node -e ''`, loadMs! / loadFloor!, times(loadMs! / loadFloor!), '≤ 2.00×', loadMs! / loadFloor! <= 2);
      row(`  and the first invocation's load of the handlers (dist/app.js: ${appModules.length} modules; date-fns ${dateFns})`, ms(firstMs!), `${ms(loadFloor!)} node -e ''`, firstMs! / loadFloor!, times(firstMs! / loadFloor!), '(no goal)', null);
    }

    // 2. Table and Graph requests of one CLI check (steady state: the tables exist), via the proxy.
    if (ONLY.has('cli')) {
      const proxy = await new CountingProxy(azurite.port).start();
      const counted = apnsOnly(cliEnv(connectionString(azurite, proxy.port), 'BenchCount'));
      const first = await timed([bin, 'check'], counted);
      if (!first.stdout.startsWith('APNS OK')) throw new Error(`the first check did not pass: ${first.stdout}${first.stderr}`);
      proxy.requests.length = 0;
      const graphBefore = graph.requests.length;
      await timed([bin, 'check'], counted);
      const tableRequests = [...proxy.requests];
      if (process.env['BENCH_VERBOSE'] === '1') for (const r of tableRequests) console.log(`table: ${r.method} ${decodeURIComponent(r.path)}`);
      const graphRequests = graph.requests.slice(graphBefore);
      if (process.env['BENCH_VERBOSE'] === '1') for (const r of graphRequests) console.log(`graph: ${r.method} ${r.path}`);
      // Graph is /v1.0/ and /beta/; the rest at the double's origin is Entra (the tenant's authority
      // metadata and the token), which the row sets aside and names.
      const graphCalls = graphRequests.filter((r) => /^\/(v1\.0|beta)\//.test(r.path)).length;
      const entraCalls = graphRequests.length - graphCalls;
      await proxy.close();
      const kinds = new Map<string, number>();
      for (const r of tableRequests) {
        const name = r.path.split('?')[0]!.split('/').pop() ?? '';
        const kind = r.method === 'POST' && name === 'Tables' ? 'table creation' : name === '$batch' ? 'batch' : r.method === 'GET' && name.includes('(PartitionKey=') ? 'point read' : r.method === 'GET' ? 'query' : `${r.method} other`;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    row(`Table requests per CLI check, WATCH=apns (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`, String(tableRequests.length), '2 (read state, write history)', tableRequests.length / 2, times(tableRequests.length / 2), '≤ 3 (2 + one table check)', tableRequests.length <= 3);
    row(`Graph requests per CLI check, WATCH=apns (Entra aside: ${entraCalls} for the token)`, String(graphCalls), '1', graphCalls, times(graphCalls), '1', graphCalls <= 1);

    // 3. The CLI check as a process vs node -e '' and vs raw node sending the same requests.
    const direct = apnsOnly(cliEnv(azurite.connectionString, 'BenchCli'));
    await timed([bin, 'check'], direct); // tables, and the compile cache, as in steady state
    const plan = [
      ...graphRequests.map((r) => ({
        url: `${graph.origin}${r.path}`,
        method: r.method,
        headers: { ...(r.authorization === null ? {} : { authorization: r.authorization }), ...(r.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        bodyBase64: Buffer.from(r.body ?? '').toString('base64'),
      })),
      ...tableRequests.map((r) => ({
        url: `http://127.0.0.1:${azurite.port}${r.path.replace('/BenchCount', '/BenchRaw')}`,
        method: r.method,
        headers: Object.fromEntries(Object.entries(r.headers).filter(([k, v]) => typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k))) as Record<string, string>,
        bodyBase64: r.body.toString('base64'),
      })),
    ];
    const planFile = join(work, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    const raw = { args: [join(dist, 'bench', 'rawCheck.js'), planFile], env: direct };
    const [cliMs, cliFloor, rawMs] = await alternate([{ args: [bin, 'check'], env: direct }, bare, raw], TIMED_RUNS);
    row('`apns-monitor check` as a process, WATCH=apns', ms(cliMs!), `${ms(cliFloor!)} node -e ''`, cliMs! / cliFloor!, times(cliMs! / cliFloor!), '≤ 3.50×', cliMs! / cliFloor! <= 3.5);
    row('`apns-monitor check` vs raw node doing the same requests, WATCH=apns', ms(cliMs!), `${ms(rawMs!)} raw node`, cliMs! / rawMs!, times(cliMs! / rawMs!), '(no goal)', null);
    peaks.push(['node -e \'\'', await peakRss(['-e', ''], process.env)]);
    peaks.push(['apns-monitor check', await peakRss([bin, 'check'], direct)]);
    peaks.push(['raw-node check', await peakRss(raw.args, direct)]);

    }

    // 4. The read path on `apns-monitor serve` vs bare node:http serving the same bytes.
    if (ONLY.has('serve')) {
      const sets: Array<[number, string]> = [
        [50, 'BenchServe50'],
        [500, 'BenchServe500'],
        [5000, 'BenchServe5000'],
      ];
      const dashboards = new Map<number, RouteFigure>();
      for (const [count, prefix] of sets) {
        const env = cliEnv(azurite.connectionString, prefix);
        await timed([bin, 'check'], env);
        await fillHistory(azurite, prefix, count);
        const paths = count === 50 ? ['/api/status', '/api/badge.svg', '/api/dashboard'] : ['/api/dashboard'];
        const measured = await measureServe(env, paths);
        dashboards.set(count, measured.routes.get('/api/dashboard')!);
        if (count === 50) {
          const goals: Record<string, [string, number]> = { '/api/status': ['GET /api/status', 0.25], '/api/badge.svg': ['GET /api/badge.svg', 0.25], '/api/dashboard': ['dashboard, 50 history rows', 0.1] };
          for (const [path, [label, goal]] of Object.entries(goals)) {
            const f = measured.routes.get(path)!;
            row(label, `${rps(f.serve.rps)}, p99 ${f.serve.p99.toFixed(1)} ms`, `${rps(f.bare.rps)} bare node:http`, f.serve.rps / f.bare.rps, pct(f.serve.rps / f.bare.rps), `≥ ${pct(goal)}`, f.serve.rps / f.bare.rps >= goal);
          }
          const floorGrowth = Math.max(measured.bareGrowth, 1024);
          row(`serve's RSS growth under that load (serve ${mb(measured.serveGrowth)}, floor ${mb(measured.bareGrowth)}, floor counted as ≥ 1 MB)`, mb(measured.serveGrowth), mb(measured.bareGrowth), measured.serveGrowth / floorGrowth, times(measured.serveGrowth / floorGrowth), '≤ 1.25×', measured.serveGrowth / floorGrowth <= 1.25);
          peaks.push(['apns-monitor serve (status, badge, dashboard 50 under load)', measured.servePeak]);
          peaks.push(['bare node:http floor (same load)', measured.barePeak]);
        } else {
          const f = measured.routes.get('/api/dashboard')!;
          row(`dashboard, ${count.toLocaleString('en-US')} history rows`, `${rps(f.serve.rps)}, p99 ${f.serve.p99.toFixed(1)} ms`, `${rps(f.bare.rps)} bare node:http`, f.serve.rps / f.bare.rps, pct(f.serve.rps / f.bare.rps), '(see next row)', null);
        }
    }
    const d500 = dashboards.get(500)!.serve.rps;
    const d5000 = dashboards.get(5000)!.serve.rps;
    // "No slower": within the run-to-run noise of a shared machine, taken as 10%.
    row('dashboard with 5,000 rows vs with 500', rps(d5000), rps(d500), d5000 / d500, times(d5000 / d500), '≥ 0.90× (no slower)', d5000 / d500 >= 0.9);
    }
    peaks.push(['this bench process (Graph double, proxy)', process.resourceUsage().maxRSS]);
  } finally {
    await graph.close();
    await azurite.stop();
    rmSync(work, { recursive: true, force: true });
  }

  const header: Row = { what: 'what', figure: 'figure', floor: 'floor (same run)', ratio: 'ratio', goal: 'goal', verdict: '' };
  const widths = (Object.keys(header) as Array<keyof Row>).map((k) => Math.max(...[header, ...rows].map((r) => r[k].length)));
  const line = (r: Row) => `| ${(Object.keys(header) as Array<keyof Row>).map((k, i) => r[k].padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log('\npeak RSS:');
  for (const [what, kb] of peaks) console.log(`  ${what.padEnd(60)} ${mb(kb)}`);
  console.log(`\nbench: load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} at the end; ${rows.filter((r) => r.verdict === 'MISS').length} goals missed`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
