import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy in front of Azurite that records every request by method and path, so a test
 * can count the Table round trips a check makes. It forwards bytes untouched (Shared Key signatures
 * cover the path and headers, not the host), and answers whatever Azurite answered.
 */
export class CountingProxy {
  /** `METHOD path` of every request, in arrival order; the path without its query string. */
  readonly requests: string[] = [];
  private server: Server | null = null;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
      this.requests.push(`${req.method ?? 'GET'} ${path}`);
      const upstream = httpRequest({ host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  /** The connection string of the Azurite behind it, pointed at the proxy. */
  connectionString(azurite: string): string {
    return azurite.replace(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+\//, `TableEndpoint=http://127.0.0.1:${this.port}/`);
  }

  /** What was recorded since the last call, with the table prefix and account cut for reading. */
  take(prefix: string): string[] {
    const taken = this.requests.splice(0).map((r) => r.replace('/devstoreaccount1', '').replaceAll(prefix, ''));
    return taken;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server === null ? resolve() : this.server.close(() => resolve())));
  }
}
