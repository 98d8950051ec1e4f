import { OutboundCallError } from './deadline';

export const MAX_RESPONSE_BYTES = 1024 * 1024;

function describeLimit(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/**
 * Reads a response body as a stream and stops past `limit` bytes (cancelling the rest), so an
 * oversized answer costs at most `limit` bytes of memory. `tooLarge` words the error, given the limit.
 */
export async function readCappedBody(body: ReadableStream<Uint8Array> | null, limit: number, tooLarge: (limit: string) => string): Promise<Buffer> {
  if (body === null) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new OutboundCallError(tooLarge(describeLimit(limit)), 'too-large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
