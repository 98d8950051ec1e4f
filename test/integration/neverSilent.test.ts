import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { describe, expect, test } from 'vitest';
import { makeAckHandler } from '../../src/app/ackHandler';
import { makeStatusHandlers } from '../../src/app/statusHandlers';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { main } from '../../src/cli/main';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { alertId } from '../../src/domain/decide';
import type { StatusDocument } from '../../src/status/statusDocument';
import { apnsCertificate } from '../doubles/graphDouble';
import { sampleEvents } from '../support/sampleEvents';
import { checkAt, storageEnv, testRuntime, useDoubles } from '../support/harness';

/**
 * Issue 9, items 1, 6 and 7 end to end: the CLI and the functions against Azurite and the loopback
 * Graph double, with a moved clock. A condition that comes back is alerted again (never a lock-out),
 * a certificate that disappears is the worst incident there is, and an incident keeps the monitor
 * from saying OK until a person acknowledges it.
 */

const { graph, hook } = useDoubles();
const DAY = 86_400_000;
const EXPIRY = '2027-06-01T00:00:00Z';
const T0 = new Date('2027-01-01T00:00:00Z');
const SECRET = 'never-silent-webhook-secret';

function cli(env: Record<string, string>) {
  return async (args: string[], at: Date): Promise<{ code: number; out: string[]; err: string[] }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, {
      env,
      now: () => at,
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      runtime: (e) => createRuntime(e, { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 } }),
    });
    return { code, out, err };
  };
}

function setup() {
  hook.received.length = 0;
  hook.script.length = 0;
  const env = { ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso', WEBHOOK_URL: hook.url('/never-silent'), WEBHOOK_SECRET: SECRET };
  return { env, run: cli(env) };
}

const at = (days: number) => new Date(T0.getTime() + days * DAY);

describe('a repeated condition is a new occurrence, never a lock-out', () => {
  test.each([
    [
      'upload status failed → cleared → the same failure',
      [
        { certificateUploadStatus: 'failed', certificateUploadFailureReason: 'bad CSR' },
        {},
        { certificateUploadStatus: 'failed', certificateUploadFailureReason: 'bad CSR' },
        {},
        { certificateUploadStatus: 'failed', certificateUploadFailureReason: 'bad CSR' },
      ],
      ['upload_failed', 'upload_failed', 'upload_failed'],
    ],
    [
      'Apple ID A → B → A → B',
      [{ appleIdentifier: 'a@contoso.com' }, { appleIdentifier: 'b@contoso.com' }, { appleIdentifier: 'a@contoso.com' }, { appleIdentifier: 'b@contoso.com' }],
      ['apple_id_changed', 'apple_id_changed', 'apple_id_changed'],
    ],
    [
      'expiry X → Y → X → Y',
      [{}, { expirationDateTime: '2027-09-01T00:00:00Z' }, {}, { expirationDateTime: '2027-09-01T00:00:00Z' }],
      ['renewed', 'renewed'],
    ],
  ])('%s: every check exits by status (never 3), every occurrence alerts once with its own id', async (_name, steps, kinds) => {
    const { run } = setup();
    for (const [i, overrides] of steps.entries()) {
      graph.certificate = apnsCertificate(EXPIRY, overrides);
      const r = await run(['check'], at(i));
      expect(r.code, r.out.join('\n') + r.err.join('\n')).not.toBe(3);
      expect(r.out.join('\n')).not.toMatch(/another check updated/);
    }
    // The check after the flaps still works.
    const after = await run(['check'], at(steps.length));
    expect(after.code).not.toBe(3);
    const events = hook.events<AlertEvent>().filter((e) => e.kind !== 'expiring');
    expect(events.map((e) => e.kind)).toEqual(kinds);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  test('alert rows left by an earlier life of the state (state row lost) never block a check', async () => {
    const { env, run } = setup();
    const rt = testRuntime(env);
    graph.certificate = apnsCertificate(EXPIRY);
    expect((await run(['check'], at(0))).code).toBe(0);
    const loaded = await rt.store.loadState();
    const epoch = loaded.state.epoch!;
    // The row the next alert would use is taken already, and the state forgot it (a restore, a reset).
    const next = loaded.state.sequence + 1;
    const squatter = { ...sampleEvents()[0]!, id: alertId('apple_id_changed', epoch, next) };
    await rt.store.outbox.client.createEntity(rt.store.outbox.row(squatter, 0));
    graph.certificate = apnsCertificate(EXPIRY, { appleIdentifier: 'other@contoso.com' });
    const r = await run(['check'], at(1));
    expect(r.code).not.toBe(3);
    expect((await rt.store.loadState()).state.epoch).not.toBe(epoch);
    const raised = hook.events<AlertEvent>().filter((e) => e.kind === 'apple_id_changed');
    expect(raised).toHaveLength(1);
    expect(raised[0]!.id).not.toBe(squatter.id);
    expect((await run(['check'], at(2))).code).not.toBe(3);
  });

  test('a state row deleted between checks: the next check starts afresh and succeeds', async () => {
    const { env, run } = setup();
    const rt = testRuntime(env);
    graph.certificate = apnsCertificate(EXPIRY, { certificateUploadStatus: 'failed' });
    expect((await run(['check'], at(0))).code).toBe(2);
    await rt.store.outbox.client.deleteEntity('apns', 'state');
    const r = await run(['check'], at(1));
    expect(r.code).toBe(2);
    expect(hook.events<AlertEvent>().map((e) => e.kind)).toEqual(['upload_failed', 'upload_failed']);
  });
});

async function call(handler: (r: HttpRequest, c: InvocationContext) => Promise<HttpResponseInit>, method: string, route: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const request = new HttpRequest({ method, url: `http://127.0.0.1/api/${route}`, ...(body === undefined ? {} : { body: { string: typeof body === 'string' ? body : JSON.stringify(body) } }) });
  const res = await handler(request, new InvocationContext({ functionName: route, logHandler: () => undefined }));
  return { status: res.status ?? 200, json: (res.jsonBody ?? {}) as Record<string, unknown> };
}

function statusOf(rt: Runtime, now: Date) {
  return call(makeStatusHandlers(() => rt, () => now).status, 'GET', 'status').then((r) => r.json as unknown as StatusDocument);
}

describe('the certificate disappears', () => {
  test('seen, then 404: critical removed alert and incident (exit 2); back with the same topic: closed, OK again', async () => {
    const { env, run } = setup();
    const rt = testRuntime(env);
    graph.certificate = apnsCertificate(EXPIRY);
    expect((await run(['check'], at(0))).code).toBe(0);
    graph.certificate = null;
    const gone = await run(['check', '--json'], at(1));
    expect(gone.code).toBe(2);
    const doc = JSON.parse(gone.out.join('\n')) as { status: string; alerts: AlertEvent[]; openIncidents: Array<{ kind: string }> };
    expect(doc.status).toBe('critical');
    expect(doc.alerts.map((a) => [a.kind, a.severity, a.subject])).toEqual([['removed', 'critical', 'apns']]);
    expect(doc.openIncidents.map((i) => i.kind)).toEqual(['removed']);
    // Still gone: no second alert, still critical.
    expect((await run(['check'], at(2))).code).toBe(2);
    expect(hook.events<AlertEvent>().map((e) => e.kind)).toEqual(['removed']);
    expect((await statusOf(rt, at(2))).status).toBe('critical');
    graph.certificate = apnsCertificate(EXPIRY);
    expect((await run(['check'], at(3))).code).toBe(0);
    expect((await statusOf(rt, at(3))).openIncidents).toEqual([]);
  });

  test('a tenant that never had a certificate stays not_configured, exit 0, no alert', async () => {
    const { run } = setup();
    graph.certificate = null;
    const r = await run(['check'], at(0));
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/no Apple MDM push certificate is configured/);
    expect(hook.received).toHaveLength(0);
  });
});

describe('incidents stay open until a person acknowledges them', () => {
  test('topic_changed: critical the day after (no false OK), listed in status and on the dashboard; POST /api/ack closes it and writes history', async () => {
    const { env, run } = setup();
    const rt = testRuntime(env);
    graph.certificate = apnsCertificate(EXPIRY);
    await run(['check'], at(0));
    graph.certificate = apnsCertificate('2028-01-01T00:00:00Z', { topicIdentifier: 'com.apple.mgmt.External.99999999-9999-4999-8999-999999999999' });
    expect((await run(['check'], at(1))).code).toBe(2);
    const dayAfter = await run(['check'], at(2));
    expect(dayAfter.code).toBe(2);
    expect(dayAfter.out[0]).toMatch(/^APNS CRITICAL/);
    const doc = await statusOf(rt, at(2));
    expect(doc.status).toBe('critical');
    expect(doc.openIncidents).toHaveLength(1);
    const incident = doc.openIncidents[0]!;
    expect(incident).toMatchObject({ kind: 'topic_changed', severity: 'critical', openedAt: at(1).toISOString() });
    expect(incident.summary).toMatch(/re-enroll/);
    const page = await makeStatusHandlers(() => rt, () => at(2)).dashboard(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/dashboard' }));
    expect(String(page.body)).toContain('data-testid="incidents"');
    expect(String(page.body)).toContain(`apns-monitor ack ${incident.id}`);

    const ack = makeAckHandler(() => rt, () => at(2.5));
    expect((await call(ack, 'GET', 'ack')).status).toBe(405);
    expect(await call(ack, 'POST', 'ack', '{"id":')).toMatchObject({ status: 400 });
    expect(await call(ack, 'POST', 'ack', { by: 'x' })).toMatchObject({ status: 400, json: { field: 'id' } });
    expect(await call(ack, 'POST', 'ack', { id: incident.id, by: 42 })).toMatchObject({ status: 400, json: { field: 'by' } });
    expect(await call(ack, 'POST', 'ack', { id: 'apns-topic_changed-00000000-000009' })).toMatchObject({ status: 404, json: { error: 'no open incident with id apns-topic_changed-00000000-000009' } });
    const done = await call(ack, 'POST', 'ack', { id: incident.id, by: 'Alex (on call)', note: 'Re-enrolment planned\nfor Friday' });
    expect(done.status).toBe(200);
    expect(done.json['acknowledged']).toEqual([{ id: incident.id, kind: 'topic_changed', severity: 'critical', openedAt: at(1).toISOString() }]);
    expect((await statusOf(rt, at(3))).status).toBe('ok');
    expect((await run(['check'], at(3))).code).toBe(0);
    const history = await rt.store.listHistory(50);
    const acks = history.filter((h) => h.type === 'ack');
    expect(acks).toEqual([{ type: 'ack', at: at(2.5).toISOString(), ack: { at: at(2.5).toISOString(), ids: [incident.id], kinds: ['topic_changed'], by: 'Alex (on call)', note: 'Re-enrolment planned for Friday' } }]);
    // Acknowledged once: a second ack of the same id names it as unknown.
    expect((await call(ack, 'POST', 'ack', { id: incident.id })).status).toBe(404);
  });

  test('an acknowledgement that races a check is never lost', async () => {
    const { env, run } = setup();
    const rt = testRuntime(env);
    graph.certificate = apnsCertificate(EXPIRY, { appleIdentifier: 'a@contoso.com' });
    await run(['check'], at(0));
    graph.certificate = apnsCertificate(EXPIRY, { appleIdentifier: 'b@contoso.com' });
    await run(['check'], at(1));
    const [incident] = (await statusOf(rt, at(1))).openIncidents;
    const ack = makeAckHandler(() => rt, () => at(1.5));
    const [acked] = await Promise.all([call(ack, 'POST', 'ack', { id: incident!.id }), ...Array.from({ length: 5 }, () => run(['check'], at(1.5)))]);
    expect(acked.status).toBe(200);
    expect((await statusOf(rt, at(2))).openIncidents).toEqual([]);
  });
});

describe('apns-monitor ack and status through the command line', () => {
  test('status shows the open incident and exits by it; ack closes it (exit 0), an unknown id exits 3 naming it', async () => {
    const { run } = setup();
    graph.certificate = apnsCertificate(EXPIRY, { appleIdentifier: 'a@contoso.com' });
    await run(['check'], at(0));
    graph.certificate = apnsCertificate(EXPIRY, { appleIdentifier: 'b@contoso.com' });
    const changed = await run(['check'], at(1));
    expect(changed.code).toBe(1);
    expect(changed.out[0]).toMatch(/^APNS WARNING - open incident: apple id changed since 2027-01-02 \(ack: apns-monitor ack apns-apple_id_changed-[0-9a-f]{8}-\d{6}\) - expires 2027-06-01/);

    const status = await run(['status', '--json'], at(1.2));
    expect(status.code).toBe(1);
    const doc = JSON.parse(status.out.join('\n')) as { status: string; openIncidents: Array<{ id: string; kind: string }> };
    expect(doc.status).toBe('warning');
    const id = doc.openIncidents[0]!.id;

    const unknown = await run(['ack', 'apns-apple_id_changed-ffffffff-000001'], at(1.3));
    expect(unknown.code).toBe(3);
    expect(unknown.out).toEqual(['APNS UNKNOWN - no open incident with id apns-apple_id_changed-ffffffff-000001 (apns-monitor status --json lists openIncidents)']);
    expect((await run(['ack'], at(1.3))).code).toBe(3);
    expect((await run(['ack', id, '--all'], at(1.3))).code).toBe(3);

    const acked = await run(['ack', id, '--by', 'Alex', '--note=new Apple ID is the team account'], at(1.4));
    expect(acked.code).toBe(0);
    expect(acked.out).toEqual([`acknowledged ${id} (apple id changed, warning, opened ${at(1).toISOString()}) by Alex`]);
    const after = await run(['status'], at(1.5));
    expect(after.code).toBe(0);
    expect(after.out[0]).toMatch(/^APNS OK - expires 2027-06-01/);
    expect((await run(['ack', '--all'], at(1.6))).out).toEqual(['no open incident to acknowledge']);
  });

  test('the removed certificate: the plugin line says what is wrong, not an empty text', async () => {
    const { run } = setup();
    graph.certificate = apnsCertificate(EXPIRY);
    await run(['check'], at(0));
    graph.certificate = null;
    const gone = await run(['check'], at(1));
    expect(gone.code).toBe(2);
    expect(gone.out[0]).toMatch(/^APNS CRITICAL - open incident: removed since 2027-01-02 \(ack: apns-monitor ack apns-removed-[0-9a-f]{8}-\d{6}\) - no Apple MDM push certificate is configured in Intune - tenant Contoso - 1 alert raised$/);
  });
});
