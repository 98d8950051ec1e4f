/**
 * The raw-node floor for `apns-monitor check` in bench/overhead.bench.ts: the same requests the CLI
 * made (token, Graph, every Table request, recorded by the bench), sent one after another with
 * node:http/node:https and nothing else: no SDK, no configuration, no decisions.
 *
 *   node dist/bench/rawCheck.js <plan.json>
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

interface PlannedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  bodyBase64: string;
}

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as PlannedRequest[];

function send(planned: PlannedRequest): Promise<number> {
  const body = Buffer.from(planned.bodyBase64, 'base64');
  const request = planned.url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(planned.url, { method: planned.method, headers: { ...planned.headers, 'content-length': String(body.length) } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  for (const planned of plan) await send(planned);
  process.stdout.write('APNS OK - raw\n');
}

main().catch((error: unknown) => {
  process.stdout.write(`APNS UNKNOWN - ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 3;
});
