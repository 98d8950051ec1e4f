import { expect, test } from 'vitest';
import { boundString, TRUNCATION_MARKER } from '../../src/domain/bound';

test('a value within the bound is kept as it is', () => {
  expect(boundString('abc', 3)).toBe('abc');
  expect(boundString('', 10)).toBe('');
});

test('an over-long value keeps its start, ends with a visible marker and fits the bound', () => {
  const out = boundString('x'.repeat(40_000), 1024);
  expect(out).toHaveLength(1024);
  expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
  expect(out.startsWith('xxxx')).toBe(true);
});

test('a surrogate pair is never split by the cut', () => {
  const value = `${'a'.repeat(7)}😀${'b'.repeat(50)}`; // the emoji sits across the cut at 8 of 20
  const out = boundString(value, 8 + TRUNCATION_MARKER.length);
  expect(out).toBe(`${'a'.repeat(7)}${TRUNCATION_MARKER}`);
  expect(out).toBe(Buffer.from(out, 'utf8').toString('utf8'));
});
