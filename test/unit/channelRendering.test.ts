import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { alertView } from '../../src/notify/alertView';
import { buildEmail, buildMime } from '../../src/notify/emailMessage';
import { buildTeamsCard, buildTeamsPayload, escapeCardText, TEAMS_MAX_BYTES } from '../../src/notify/teamsCard';
import { hostileEvent, sampleEvents } from '../support/sampleEvents';

// Microsoft's Adaptive Cards library parses a card against its schema model for a target version and
// reports unknown element types, invalid property values and missing required properties.
const AC = createRequire(__filename)('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => { parse(json: unknown, context: unknown): void; validateProperties(): { validationEvents: Array<{ message: string }> } };
  SerializationContext: new (version: unknown) => { eventCount: number; getEventAt(i: number): { message: string } };
  Version: new (major: number, minor: number) => unknown;
};

function adaptiveCardProblems(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(new AC.Version(1, 5));
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  for (const e of parsed.validateProperties().validationEvents) problems.push(e.message);
  return problems;
}

const view = (e: AlertEvent) => alertView(e, { cloud: 'global', timeZone: 'Europe/Berlin' });
const events = sampleEvents();

describe('Teams card', () => {
  test('the validator itself rejects broken cards', () => {
    const problems = adaptiveCardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlok', text: 'x' }, { type: 'TextBlock', text: 'y', color: 'Purple' }], actions: [{ type: 'Action.OpenUrl', title: 'no url' }] });
    expect(problems).toHaveLength(3);
  });

  test.each(events.map((e) => [e.kind, e] as const))('%s: valid Adaptive Card 1.5, within 28 KB, matches its snapshot', async (kind, event) => {
    const payload = buildTeamsPayload(view(event));
    expect(payload).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null }] });
    const card = buildTeamsCard(view(event));
    expect(card['version']).toBe('1.5');
    expect(adaptiveCardProblems(card)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThan(TEAMS_MAX_BYTES);
    await expect(JSON.stringify(payload, null, 2) + '\n').toMatchFileSnapshot(`../__snapshots__/teams/${kind}.json`);
  });

  test('the renewal card says to renew with the same Apple ID and never create a new certificate, and names the Apple ID', () => {
    const text = JSON.stringify(buildTeamsCard(view(events.find((e) => e.kind === 'expiring')!)));
    expect(text).toContain('Renew the existing certificate with the same Apple ID (intune-apns@contoso.com)');
    expect(text).toContain('Never create a new certificate');
    expect(text).toContain('Europe/Berlin');
    expect(text).toContain('https://identity.apple.com/pushcert');
    expect(text).toContain('https://intune.microsoft.com/');
  });

  test('text from Graph cannot break the card', () => {
    const card = buildTeamsCard(view(hostileEvent()));
    expect(adaptiveCardProblems(card)).toEqual([]);
    const facts = (card['body'] as Array<{ type: string; facts?: Array<{ title: string; value: string }> }>).find((b) => b.type === 'FactSet')!.facts!;
    const apple = facts.find((f) => f.title === 'Apple ID')!.value;
    expect(apple).toContain('\\*admin\\*');
    expect(apple).toContain('\\[click\\](https://evil.example)');
    expect(apple).toContain('{\\{DATE');
    expect((card['actions'] as unknown[]).length).toBe(2);
    expect(escapeCardText('# a\n- b\n1. c (d)')).toBe('# a\n\\- b\n\\1. c (d)');
  });

  test('other clouds link to their own Intune admin center', () => {
    const text = JSON.stringify(buildTeamsCard(alertView(events[2]!, { cloud: 'usgov', timeZone: null })));
    expect(text).toContain('https://intune.microsoft.us/');
    expect(text).not.toMatch(/Expires \((?!UTC)/);
  });
});

describe('email', () => {
  test.each(events.map((e) => [e.kind, e] as const))('%s: text and HTML match their snapshots', async (kind, event) => {
    const mail = buildEmail(view(event), event);
    expect(mail.subject).toMatch(/^\[APNs (INFO|WARNING|CRITICAL)\] Contoso: /);
    await expect(`Subject: ${mail.subject}\n\n${mail.text}\n`).toMatchFileSnapshot(`../__snapshots__/email/${kind}.txt`);
    await expect(mail.html + '\n').toMatchFileSnapshot(`../__snapshots__/email/${kind}.html`);
  });

  test('Graph text is escaped in HTML and cannot inject headers', () => {
    const event = hostileEvent();
    const mail = buildEmail(view(event), event);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;');
    const mime = buildMime({ ...mail, subject: 'x\r\nBcc: victim@example.com' }, 'alerts@contoso.com', ['a@contoso.com'], event.id);
    expect(mime).not.toMatch(/^Bcc:/m);
  });

  test('MIME carries both versions as multipart/alternative', () => {
    const event = events[2]!;
    const mime = buildMime(buildEmail(view(event), event), 'alerts@contoso.com', ['a@contoso.com', 'b@contoso.com'], event.id);
    expect(mime).toMatch(/^From: alerts@contoso.com\r\nTo: a@contoso.com, b@contoso.com\r\n/);
    expect(mime).toContain('Content-Type: multipart/alternative; boundary="apns-');
    expect(mime).toContain('Content-Type: text/plain; charset=UTF-8');
    expect(mime).toContain('Content-Type: text/html; charset=UTF-8');
  });
});
