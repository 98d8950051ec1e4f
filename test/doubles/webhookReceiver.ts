import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderInboxPage, type InboxItem } from './inboxPage';

export interface ReceivedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** When it arrived: the inbox page lists newest first. */
  at: Date;
}

/** A loopback HTTP endpoint that records what channels post, and can be told to fail. */
export class WebhookReceiver {
  readonly received: ReceivedRequest[] = [];
  /** One-off status codes answered instead of 200 (e.g. [503] fails the next post). */
  readonly script: Array<{ status: number; headers?: Record<string, string>; delayMs?: number }> = [];
  /** A status to answer for every POST to a path, while set (the demo's webhook that breaks for a while); null: take it. */
  refuse: ((path: string) => number | null) | null = null;
  /** Every POST, answered or not: what was sent, not only what was taken. */
  attempts = 0;
  /** More to show on the inbox page, e.g. the mail the Graph double's sendMail took (see GraphDouble.sentMail). */
  mailbox: () => ReadonlyArray<{ from: string; mime: string | null; at: Date }> = () => [];
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
        const refused = this.refuse?.(req.url ?? '/') ?? null;
        const next = refused === null ? this.script.shift() : { status: refused };
        const status = next?.status ?? 200;
        const answer = () => {
          if (status < 300) this.received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: new Date() });
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

  /** What arrived, by channel: posts under /teams are Teams cards, other posts webhooks, and the mailbox's mail. */
  inboxItems(): InboxItem[] {
    const posts = this.received.map((r): InboxItem => ({ channel: r.path.startsWith('/teams') ? 'teams' : 'webhook', at: r.at, target: `POST ${r.path.split('?')[0] ?? ''}`, body: r.body }));
    const mail = this.mailbox()
      .filter((m) => m.mime !== null)
      .map((m): InboxItem => ({ channel: 'email', at: m.at, target: `sendMail as ${m.from}`, body: m.mime! }));
    return [...posts, ...mail];
  }

  /** The demo's inbox: what each channel received, as a person would see it, newest first. */
  private page(res: import('node:http').ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(renderInboxPage(this.inboxItems()));
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
