import { describe, expect, test } from 'vitest';
import { TRUNCATION_MARKER } from '../../src/domain/bound';
import { readWithinBudget, MAX_ERROR_CHARS } from '../../src/graph/readBudget';
import { MAX_RESPONSE_BYTES, readCappedBody } from '../../src/net/cappedBody';
import { Deadline, OutboundCallError, withTimeout } from '../../src/net/deadline';
import { createRedactor } from '../../src/redact';

const never = <T>() => new Promise<T>(() => undefined);

describe('Deadline', () => {
  test('remainingMs counts down on the injected clock and stops at zero', () => {
    let now = 1000;
    const deadline = Deadline.start(240_000, () => now);
    expect(deadline.remainingMs()).toBe(240_000);
    now += 200_000;
    expect(deadline.remainingMs()).toBe(40_000);
    expect(deadline.expired()).toBe(false);
    now += 50_000;
    expect(deadline.remainingMs()).toBe(0);
    expect(deadline.expired()).toBe(true);
  });
});

describe('withTimeout', () => {
  test('work that ignores its signal is still cut off, with the call and the wait named', async () => {
    await expect(withTimeout('Entra token request', 20, () => never())).rejects.toThrow(new OutboundCallError('Entra token request timed out after 0.02 s', 'timeout'));
  });

  test('work that gives up on its aborted signal reports the timeout, not its own error', async () => {
    const work = (signal: AbortSignal) => new Promise<never>((_r, reject) => signal.addEventListener('abort', () => reject(new Error('The operation was aborted'))));
    await expect(withTimeout('Graph GET /x', 1000, work, AbortSignal.timeout(10))).rejects.toThrow('The operation was aborted');
    await expect(withTimeout('Graph GET /x', 10, work)).rejects.toThrow('Graph GET /x timed out after 0.01 s');
  });

  test('work that ends in time passes its answer or its error through', async () => {
    await expect(withTimeout('x', 1000, async () => 42)).resolves.toBe(42);
    await expect(withTimeout('x', 1000, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  });
});

describe('readCappedBody', () => {
  test('an endless body is read only just past the limit, then cancelled', async () => {
    let pulled = 0;
    let cancelled = false;
    const chunk = new Uint8Array(64 * 1024);
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        pulled += 1;
        controller.enqueue(chunk);
      },
      cancel: () => void (cancelled = true),
    });
    await expect(readCappedBody(endless, MAX_RESPONSE_BYTES, (limit) => `Graph answered a body larger than ${limit} for GET /x`)).rejects.toThrow(
      'Graph answered a body larger than 1 MiB for GET /x',
    );
    expect(pulled).toBeLessThanOrEqual(MAX_RESPONSE_BYTES / chunk.length + 2);
    expect(cancelled).toBe(true);
  });

  test('a body within the limit is returned whole', async () => {
    const body = new Response('{"ok":true}').body;
    expect((await readCappedBody(body, 16, () => 'too big')).toString()).toBe('{"ok":true}');
    expect((await readCappedBody(null, 16, () => 'too big')).length).toBe(0);
  });
});

describe('readWithinBudget', () => {
  const redact = createRedactor(['client-secret-value-0123456789']);

  test('a read that outlives the budget is a failed read, not a hang', async () => {
    const read = readWithinBudget(() => never(), 30, redact);
    expect(await read()).toEqual({ kind: 'failed', error: "reading the certificate from Graph took longer than the check's budget of 0.03 s (CHECK_BUDGET_SECONDS)", httpStatus: null });
  });

  test('the deadline given is the one the read gets', async () => {
    const deadline = Deadline.start(60_000);
    let seen: Deadline | undefined;
    await readWithinBudget(async (d) => ((seen = d), { kind: 'not_configured' }), 240_000, redact)(deadline);
    expect(seen).toBe(deadline);
  });

  test('a failed read\'s error is redacted, then bounded', async () => {
    const error = `${'e'.repeat(MAX_ERROR_CHARS - 10)}client-secret-value-0123456789${'f'.repeat(50_000)}`;
    const r = await readWithinBudget(async () => ({ kind: 'failed', error, httpStatus: 500 }), 240_000, redact)();
    expect(r.kind).toBe('failed');
    if (r.kind !== 'failed') return;
    expect(r.error).toHaveLength(MAX_ERROR_CHARS);
    expect(r.error.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(r.error).not.toContain('client-secret');
  });
});
