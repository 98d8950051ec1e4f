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
  readonly script: Array<{ status: number; headers?: Record<string, string> }> = [];
  private server: Server | null = null;
  private port = 0;

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const next = this.script.shift();
        const status = next?.status ?? 200;
        if (status < 300) this.received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(status, next?.headers ?? {});
        res.end(status < 300 ? '' : 'failure');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
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
