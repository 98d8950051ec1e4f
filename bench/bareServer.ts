/**
 * The floor for bench/overhead.bench.ts: bare node:http answering each path with the bytes (status,
 * content type, body) the monitor answered for it, read from a JSON file of path → response.
 * Prints its URL.
 *
 *   node dist/bench/bareServer.js <responses.json>
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Recorded {
  status: number;
  contentType: string;
  bodyBase64: string;
}

const responses = new Map(
  Object.entries(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Record<string, Recorded>).map(([path, r]) => [path, { ...r, body: Buffer.from(r.bodyBase64, 'base64') }]),
);
const server = createServer((req, res) => {
  req.resume();
  const recorded = responses.get(req.url ?? '');
  if (recorded === undefined) {
    res.writeHead(404, { 'content-length': 0 });
    res.end();
    return;
  }
  res.writeHead(recorded.status, { 'content-type': recorded.contentType, 'content-length': recorded.body.length });
  res.end(recorded.body);
});
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
