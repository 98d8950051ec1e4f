import { createHmac } from 'node:crypto';
import { expect, test } from 'vitest';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { apnsCertificate } from '../doubles/graphDouble';
import { checkAt, MemoryLogger, storageEnv, testRuntime, useDoubles } from '../support/harness';

const { graph, hook } = useDoubles();
const SECRET = 'simulated-year-webhook-secret';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = new Date('2026-12-01T00:00:00Z');
const firstExpiry = new Date(start.getTime() + 100 * DAY);
const renewedExpiry = new Date(firstExpiry.getTime() + 365 * DAY);
const oldTopic = 'com.apple.mgmt.External.8b9f2a3c-1d2e-4f50-9a6b-7c8d9e0f1a2b';
const newTopic = 'com.apple.mgmt.External.0f0e0d0c-0b0a-4908-8706-050403020100';

test('a simulated year of checks every 12 hours sends each alert exactly once, through 503s, 403s and a failing webhook', async () => {
  const runtime = testRuntime({ ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso', WEBHOOK_URL: hook.url('/apns'), WEBHOOK_SECRET: SECRET });
  const log = new MemoryLogger();
  graph.certificate = apnsCertificate(firstExpiry.toISOString(), { topicIdentifier: oldTopic });
  const statuses = new Set<string>();
  const checks = 2 * 365;
  for (let i = 0; i <= checks; i++) {
    const now = new Date(start.getTime() + i * 12 * HOUR);
    const day = i / 2;
    // Scripted incidents along the year.
    if (i === 20) graph.certificateScript.push({ status: 503, headers: { 'Retry-After': '0' } });
    if (i === 30) graph.certificateScript.push({ status: 429, headers: { 'Retry-After': '0' } }, { status: 503 });
    if (i === 50) graph.certificateScript.push({ status: 403, body: { error: { code: 'Forbidden', message: 'Application is not authorized' } } });
    if (i === 51) graph.certificateScript.push({ status: 403, body: { error: { code: 'Forbidden', message: 'Application is not authorized' } } });
    if (i === 2 * 88) hook.script.push({ status: 503 }); // the 14-day alert's first delivery fails
    if (day === 102) graph.certificate = apnsCertificate(renewedExpiry.toISOString(), { topicIdentifier: oldTopic });
    if (day === 300) graph.certificate = apnsCertificate(renewedExpiry.toISOString(), { topicIdentifier: newTopic, appleIdentifier: 'someone-else@contoso.com' });
    const result = await checkAt(runtime, now, log);
    statuses.add(result.status);
  }

  const events = hook.events<AlertEvent>();
  const summary = events.map((e) => `${e.kind}${e.thresholdDays === null ? '' : `:${e.thresholdDays}`}`);
  expect(summary).toEqual([
    'monitor_failing',
    'monitor_recovered',
    'expiring:60',
    'expiring:30',
    // 14 failed once at the receiver and went out on the next check, once.
    'expiring:14',
    'expiring:7',
    'expiring:3',
    'expiring:1',
    'expired', // at the expiry instant
    'expired', // 24 h later; renewed before the next repeat
    'renewed',
    'topic_changed',
    'apple_id_changed',
  ]);
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  expect(statuses).toEqual(new Set(['ok', 'unknown', 'warning', 'critical', 'expired']));

  // Every post is signed over its raw body.
  for (const r of hook.received) {
    expect(r.headers['x-signature-256']).toBe(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
  }
  const failing = events.find((e) => e.kind === 'monitor_failing')!;
  expect(failing.error).toContain('DeviceManagementServiceConfig.Read.All');
  const expired = events.filter((e) => e.kind === 'expired');
  expect(expired[0]!.graceEndsDateTime).toBe(new Date(firstExpiry.getTime() + 30 * DAY).toISOString());
  expect(expired.map((e) => e.graceDaysRemaining)).toEqual([30, 29]);
  expect(events.find((e) => e.kind === 'topic_changed')).toMatchObject({ severity: 'critical', topicIdentifier: newTopic, previous: { topicIdentifier: oldTopic } });

  // Nothing is left pending, and the webhook secret and URL never reached a log line.
  expect(await runtime.store.outbox.pending()).toEqual([]);
  expect(log.lines.join('\n')).not.toContain(SECRET);
  expect(log.lines.join('\n')).not.toContain('/apns');
  expect(log.lines.some((l) => l.includes('webhook answered 503'))).toBe(true);
}, 240_000);
