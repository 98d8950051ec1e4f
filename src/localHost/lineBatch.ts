/**
 * `apns-monitor serve` logs a line per request. Written one at a time, under load those writes to
 * stderr (synchronous for a pipe or a terminal, each one waking the reader) took a fifth of serve's
 * CPU in the bench's profile, as much as answering the requests. Lines are gathered instead and
 * written together, at most FLUSH_MS after the first of them (or once BATCH_BYTES have gathered):
 * every line, in order, a moment later. `flush` writes what is left (at shutdown, and on exit).
 */
export const FLUSH_MS = 100;
export const BATCH_BYTES = 64 * 1024;

export interface LineBatch {
  log(line: string): void;
  flush(): void;
}

export function lineBatch(write: (text: string) => void): LineBatch {
  let lines: string[] = [];
  let bytes = 0;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (lines.length === 0) return;
    const text = lines.join('\n');
    lines = [];
    bytes = 0;
    write(text);
  };
  return {
    log(line) {
      lines.push(line);
      bytes += line.length + 1;
      if (bytes >= BATCH_BYTES) return flush();
      if (timer === null) {
        timer = setTimeout(flush, FLUSH_MS);
        // Waiting lines never keep the process alive: exit and shutdown flush them.
        timer.unref();
      }
    },
    flush,
  };
}
