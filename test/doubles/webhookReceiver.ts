import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A loopback HTTP endpoint that records what channels post, and can be told to fail. */
export class WebhookReceiver {
  readonly received: ReceivedRequest[] = [];
  /** One-off status codes answered instead of 200 (e.g. [503] fails the next post). */
  readonly script: Array<{ status: number; headers?: Record<string, string>; delayMs?: number }> = [];
  /** Every POST, answered or not: what was sent, not only what was taken. */
  attempts = 0;
  private server: Server | null = null;
  private port = 0;

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (req.method === 'GET') return this.page(res);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.attempts += 1;
        const next = this.script.shift();
        const status = next?.status ?? 200;
        const answer = () => {
          if (status < 300) this.received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
          res.writeHead(status, next?.headers ?? {});
          res.end(status < 300 ? '' : 'failure');
        };
        if (next?.delayMs === undefined) answer();
        else setTimeout(answer, next.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** A page listing what arrived, newest first: the demo's inbox. */
  private page(res: import('node:http').ServerResponse): void {
    const esc = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const pretty = (body: string) => {
      try {
        return JSON.stringify(JSON.parse(body), null, 2);
      } catch {
        return body;
      }
    };
    const items = [...this.received].reverse().map((r) => `<li><h2>POST ${esc(r.path.split('?')[0] ?? '')}</h2><pre>${esc(pretty(r.body))}</pre></li>`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Inbox: ${this.received.length} messages</title><style>body{font:15px/1.4 system-ui,sans-serif;margin:1rem}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem;overflow-x:auto}li{list-style:none;border-bottom:1px solid #ccc}</style></head><body><h1>What the channels received (${this.received.length})</h1><ol>${items.join('')}</ol></body></html>`);
  }

  /** Parsed JSON bodies received so far. */
  events<T = Record<string, unknown>>(): T[] {
    return this.received.map((r) => JSON.parse(r.body) as T);
  }

  async close(): Promise<void> {
    if (this.server === null) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}
