import { afterEach, expect, test, vi } from 'vitest';
import { BATCH_BYTES, FLUSH_MS, lineBatch } from '../../src/localHost/lineBatch';

afterEach(() => vi.useRealTimers());

test('lines gathered within FLUSH_MS are written once, every one in order', () => {
  vi.useFakeTimers();
  const writes: string[] = [];
  const batch = lineBatch((t) => void writes.push(t));
  batch.log('GET /api/status 200 1 ms');
  batch.log('GET /api/badge.svg 200 0 ms');
  expect(writes).toEqual([]);
  vi.advanceTimersByTime(FLUSH_MS);
  expect(writes).toEqual(['GET /api/status 200 1 ms\nGET /api/badge.svg 200 0 ms']);
  batch.log('GET /api/dashboard 200 3 ms');
  vi.advanceTimersByTime(FLUSH_MS);
  expect(writes).toEqual(['GET /api/status 200 1 ms\nGET /api/badge.svg 200 0 ms', 'GET /api/dashboard 200 3 ms']);
  vi.advanceTimersByTime(10 * FLUSH_MS);
  expect(writes).toHaveLength(2);
});

test('a batch that reaches BATCH_BYTES is written at once; flush writes what is left', () => {
  vi.useFakeTimers();
  const writes: string[] = [];
  const batch = lineBatch((t) => void writes.push(t));
  const line = 'x'.repeat(1023);
  for (let i = 0; i < BATCH_BYTES / 1024; i++) batch.log(line);
  expect(writes).toHaveLength(1);
  expect(writes[0]!.split('\n')).toHaveLength(BATCH_BYTES / 1024);
  batch.log('last');
  batch.flush();
  expect(writes).toEqual([writes[0], 'last']);
  batch.flush();
  vi.advanceTimersByTime(FLUSH_MS);
  expect(writes).toHaveLength(2);
});
