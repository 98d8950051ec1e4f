/**
 * Load generator for bench/overhead.bench.ts, run as its own process so that it does not share an
 * event loop (or a core's time slices) with the server it measures: `connections` keep-alive
 * connections, each sending its next GET as soon as the last answer has been read, for `seconds`.
 * Prints one JSON line: requests, requests per second, p50 and p99 latency in ms, non-200 answers.
 *
 *   node dist/bench/loadgen.js <url> <seconds> <connections>
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

const [url, secondsText, connectionsText] = process.argv.slice(2);
if (url === undefined) {
  console.error('usage: loadgen <url> <seconds> <connections>');
  process.exit(2);
}
const seconds = Number(secondsText ?? '2');
const connections = Number(connectionsText ?? '16');
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const latencies: number[] = [];
let failures = 0;

function once(): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url!, { agent }, (res) => {
      if (res.statusCode !== 200) failures++;
      res.on('data', () => undefined);
      res.on('end', () => {
        latencies.push(performance.now() - started);
        resolve();
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function worker(until: number): Promise<void> {
  while (performance.now() < until) await once();
}

async function main(): Promise<void> {
  // A short warm-up opens the connections and lets the server's code get compiled.
  await Promise.all(Array.from({ length: connections }, () => worker(performance.now() + 300)));
  latencies.length = 0;
  failures = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, () => worker(started + seconds * 1000)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  agent.destroy();
  console.log(JSON.stringify({ requests: latencies.length, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), failures }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
