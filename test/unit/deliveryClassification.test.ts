import { GraphError } from '@microsoft/microsoft-graph-client';
import { describe, expect, test } from 'vitest';
import { classifyMailError } from '../../src/notify/email';
import { classifyResponse, parseRetryAfter } from '../../src/notify/httpDelivery';

describe('HTTP channel answers', () => {
  test.each([
    [200, 'delivered'],
    [202, 'delivered'],
    [408, 'retry-later'],
    [429, 'retry-later'],
    [500, 'retry-later'],
    [503, 'retry-later'],
    [400, 'failed-for-good'],
    [401, 'failed-for-good'],
    [404, 'failed-for-good'],
    [410, 'failed-for-good'],
  ])('%i is %s', (status, result) => {
    expect(classifyResponse('teams', status, '', null).result).toBe(result);
  });

  test('Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('120')).toBe(120);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 2)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(120);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(classifyResponse('webhook', 429, 'Too Many Requests', '30')).toEqual({ result: 'retry-later', reason: 'webhook answered 429 Too Many Requests', retryAfterSeconds: 30 });
  });
});

describe('Graph sendMail answers', () => {
  const graphError = (status: number, code?: string) => Object.assign(new GraphError(status, 'x'), { code: code ?? null });
  test.each([
    [graphError(202), 'delivered', null],
    [graphError(429), 'retry-later', /429/],
    [graphError(503), 'retry-later', /503/],
    [graphError(403), 'failed-for-good', /Mail\.Send/],
    [graphError(404), 'failed-for-good', /EMAIL_FROM is not a mailbox/],
    [graphError(400, 'ErrorInvalidRecipients'), 'failed-for-good', /400 ErrorInvalidRecipients/],
    [graphError(-1), 'retry-later', /could not reach Graph/],
    [new TypeError('fetch failed'), 'retry-later', /could not reach Graph/],
  ])('%#: %s', (error, result, reason) => {
    const outcome = classifyMailError(error);
    expect(outcome.result).toBe(result);
    if (reason !== null && outcome.result !== 'delivered') expect(outcome.reason).toMatch(reason);
  });
});
