import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { validateAlertEvent } from '../../src/domain/validateEvent';
import { alertView } from '../../src/notify/alertView';
import { buildEmail, buildMime } from '../../src/notify/emailMessage';
import { TeamsNotifier } from '../../src/notify/teams';
import { buildTeamsCard, TEAMS_MAX_BYTES } from '../../src/notify/teamsCard';
import { WebhookReceiver } from '../doubles/webhookReceiver';
import { sampleEvents } from '../support/sampleEvents';

// Every event the notify function accepts can be rendered and delivered by every channel: no
// renderer throws on an accepted shape, and no card is too large for Teams.

const options = { cloud: 'global' as const, timeZone: 'Europe/Berlin' };
const events = sampleEvents();
const changed = events.find((e) => e.kind === 'topic_changed')!;
const expiring = events.find((e) => e.kind === 'expiring')!;

function renderAll(event: AlertEvent): string {
  const view = alertView(event, options);
  const mail = buildEmail(view);
  return JSON.stringify(buildTeamsCard(view)) + buildMime(mail, { from: 'alerts@contoso.com', to: ['admins@contoso.com'], alertId: event.id, date: new Date('2027-03-05T00:00:00Z') });
}

test('a previous that lacks values (as events were once stored) renders in Teams and email', () => {
  const stored = { ...changed, previous: { topicIdentifier: 'com.apple.mgmt.External.old' } } as unknown as AlertEvent;
  expect(() => renderAll(stored)).not.toThrow();
  expect(renderAll(stored)).toContain('com.apple.mgmt.External.old');
  const validated = validateAlertEvent({ ...changed, previous: {} });
  expect(validated.ok && renderAll(validated.event)).toContain('X-Apns-Monitor-Alert-Id');
});

describe('Teams cards stay within the Workflows limit', () => {
  const receiver = new WebhookReceiver();
  beforeAll(async () => void (await receiver.start()));
  afterAll(() => receiver.close());

  test('the largest texts an event may carry are shortened until the card fits, and it is delivered', async () => {
    // Each within its limits, but escaped to 6 bytes a character in the card's JSON (texts are
    // clipped to 1500 characters for the card anyway); the Apple ID is in the advice too.
    const control = (n: number) => '\u0001'.repeat(n);
    const r = validateAlertEvent({ ...expiring, id: `apns_"_${'_'.repeat(190)}`, tenant: control(200), summary: control(1500), error: control(1500), appleIdentifier: control(320), topicIdentifier: control(200), certificateSerialNumber: control(200), previous: { appleIdentifier: control(320), topicIdentifier: control(200), expirationDateTime: null } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const outcome = await new TeamsNotifier({ url: receiver.url('/teams') }, options).notify(r.event);
    expect(outcome).toEqual({ result: 'delivered' });
    const sent = receiver.received[0]!.body;
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(sent).toContain('…');
    expect(sent).toContain('"text":"Apple ID"');
  });
});

test('the removed alert says what happened and what to do, in Teams and email', () => {
  const removed = events.find((e) => e.kind === 'removed')!;
  const view = alertView(removed, options);
  expect(view.title).toBe('Contoso: APNs certificate REMOVED from Intune');
  expect(view.tone).toBe('attention');
  expect(view.advice).toMatch(/^Upload this same certificate \(same topic\) to Intune again; .*same Apple ID \(intune-apns@contoso\.com\).*Never create a new certificate/);
  const mail = buildEmail(view);
  expect(mail.subject).toBe('[CRITICAL] Contoso: APNs certificate REMOVED from Intune');
  expect(mail.text).toContain(view.advice!);
});
