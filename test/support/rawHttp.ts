import { connect } from 'node:net';

export interface RawAnswer {
  /** The status of the first response, or null when the server closed without one. */
  status: number | null;
  /** Everything the server sent, as Latin-1 text. */
  text: string;
  /** Whether the server closed the connection (rather than the wait running out). */
  closed: boolean;
}

/**
 * Sends bytes as they are over a fresh TCP connection, for requests an HTTP client refuses to make
 * (wrong lengths, raw non-ASCII header bytes, odd targets). Ends the request side only when told to,
 * and gives up waiting after `waitMs` so a server that never answers fails the test instead of hanging.
 */
export function rawRequest(port: number, bytes: Buffer | string, options: { end?: boolean; waitMs?: number } = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve({ status: status === undefined ? null : Number(status), text, closed });
    };
    const timer = setTimeout(() => done(false), options.waitMs ?? 5_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => done(true));
    // A reset after the answer was read is still an answer.
    socket.on('error', () => done(true));
    socket.write(bytes, () => {
      if (options.end === true) socket.end();
    });
  });
}
