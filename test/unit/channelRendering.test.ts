import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ALERT_KINDS, SUBJECT_KINDS, type AlertEvent, type AlertKind } from '../../src/domain/alertEvent';
import { validateAlertEvent } from '../../src/domain/validateEvent';
import { alertView } from '../../src/notify/alertView';
import { buildEmail, buildMime } from '../../src/notify/emailMessage';
import { MAX_HEADER_LINE } from '../../src/notify/mailHeaders';
import { buildTeamsCard, buildTeamsPayload, fitTeamsPayload, TEAMS_MAX_BYTES } from '../../src/notify/teamsCard';
import { MAX_BUTTON_TITLE, MAX_TITLE } from '../../src/render/alertText';
import { hostileEvent, sampleEvents } from '../support/sampleEvents';
import { tokenSampleEvents } from '../support/tokenSampleEvents';
import { deviceCertSampleEvents } from '../support/deviceCertSampleEvents';

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

type Node = { [key: string]: unknown };

/** Every object in the card, depth first. */
function nodes(value: unknown): Node[] {
  if (Array.isArray(value)) return value.flatMap(nodes);
  if (value === null || typeof value !== 'object') return [];
  return [value as Node, ...Object.values(value).flatMap(nodes)];
}

/** What a person reads on the card: the text of every run, in order. */
function cardTexts(card: unknown): string[] {
  return nodes(card)
    .filter((n) => n['type'] === 'TextRun')
    .map((n) => n['text'] as string);
}

const options = { cloud: 'global' as const, timeZone: 'Europe/Berlin' };
const view = (e: AlertEvent) => alertView(e, options);
const events = sampleEvents();
const tokenEvents = tokenSampleEvents();
const tokenSnapshots = [...new Map([...tokenEvents, ...deviceCertSampleEvents()].map((e) => [`${e.subject}-${e.kind}`, e] as const)).entries()];

/** Every alert kind about every subject: the notify function accepts any pair, so every pair renders. */
const CHANNEL_KINDS: readonly AlertKind[] = ['channel_failing', 'channel_recovered'];

function everyKindAndSubject(): AlertEvent[] {
  const base = events.find((e) => e.kind === 'expiring')!;
  const credentials = SUBJECT_KINDS.flatMap((subject) =>
    ALERT_KINDS.filter((kind) => !CHANNEL_KINDS.includes(kind)).map((kind) => ({ ...base, id: `${subject}-${kind}-00000000-000001`, kind, subject, subjectName: subject === 'apns' ? null : 'Contoso Ltd', subjectId: subject === 'apns' ? null : '3a1b5c7d-0000-4000-8000-00000000aaaa' })),
  );
  // Alerts about the monitor's own channels name the channel (subjectName), never a credential.
  const channels = CHANNEL_KINDS.map((kind) => ({ ...base, id: `channel-teams-${kind === 'channel_failing' ? 'failing' : 'recovered'}-1804240800000`, kind, subject: 'apns' as const, subjectName: 'teams', subjectId: null }));
  return [...credentials, ...channels];
}

/** The schema's maximum length of each string field. */
const schema = JSON.parse(readFileSync(join(__dirname, '../../src/domain/alert-event.schema.json'), 'utf8')) as { properties: Record<string, { maxLength?: number; properties?: Record<string, { maxLength?: number }> }> };
const maxOf = (field: string) => schema.properties[field]!.maxLength!;

const MAX_EVENT_JSON = 32_000;

/**
 * An event with every bounded text at its limit, written with `char` (a control character costs 6
 * bytes in JSON), as far as the whole event's own limit (32,000 characters as JSON) allows: the biggest
 * event the notify function accepts.
 */
function longest(e: AlertEvent, char: string): AlertEvent {
  const fields = ['tenant', 'appleIdentifier', 'topicIdentifier', 'certificateSerialNumber', 'subjectName', 'state', 'previousAppleIdentifier', 'previousTopicIdentifier', 'error', 'summary'] as const;
  const limit = (f: (typeof fields)[number]) => maxOf(f === 'previousAppleIdentifier' ? 'appleIdentifier' : f === 'previousTopicIdentifier' ? 'topicIdentifier' : f);
  const cost = JSON.stringify(char).length - 2;
  const build = (texts: Record<string, string>) => ({
    // The device-certificate fields the validator adds as null when absent take room too.
    count: null,
    totalAtRisk: null,
    earliestExpirationDateTime: null,
    groups: null,
    sample: null,
    listUrl: null,
    ...e,
    id: `${e.subject}-${'x'.repeat(maxOf('id') - e.subject.length - 1)}`,
    tenant: texts['tenant'],
    summary: texts['summary'] || 'x',
    error: texts['error'],
    appleIdentifier: texts['appleIdentifier'],
    topicIdentifier: texts['topicIdentifier'],
    certificateSerialNumber: texts['certificateSerialNumber'],
    subjectName: texts['subjectName'],
    state: texts['state'],
    previous: { appleIdentifier: texts['previousAppleIdentifier'], topicIdentifier: texts['previousTopicIdentifier'], expirationDateTime: '2026-03-01T09:00:00.000Z' },
    lastSyncDateTime: '2027-01-14T20:00:00.000Z',
    syncErrorCode: 4031,
  });
  const texts: Record<string, string> = Object.fromEntries(fields.map((f) => [f, '']));
  let room = MAX_EVENT_JSON - JSON.stringify(build(texts)).length - 10;
  for (const f of fields) {
    const n = Math.max(0, Math.min(limit(f), Math.floor(room / cost)));
    texts[f] = char.repeat(n);
    room -= n * cost;
  }
  const r = validateAlertEvent(build(texts));
  if (!r.ok) throw new Error(`${r.field} ${r.problem}`);
  return r.event;
}

describe('device-certificate alerts', () => {
  test('the card and the mail say how many, which issuers, which devices, and link the list', () => {
    const expiring = deviceCertSampleEvents().find((e) => e.kind === 'expiring' && e.thresholdDays === 7)!;
    const v = view(expiring);
    expect(v.title).toBe('Contoso: 6 device certificates expire within 7 days');
    expect(v.facts.map((f) => f.title)).toEqual(expect.arrayContaining(['Certificates in this alert', 'At risk in all', 'Earliest expiry', 'By issuer', 'Devices', 'Full list']));
    expect(v.facts.find((f) => f.title === 'Devices')!.value).toContain('iPhone-0 (user0@contoso.com), CN=user0@contoso.com, expires 2027-03-03');
    expect(v.links.map((l) => l.title)).toEqual(['Open the list', 'Open in Intune']);
    const mail = buildEmail(v);
    expect(mail.text).toContain('https://apns-monitor.azurewebsites.net/api/device-certificates?withinDays=7&format=csv');
    expect(JSON.stringify(buildTeamsCard(v))).toContain('CN=Contoso SCEP CA: 3');
  });
});

describe('Teams card', () => {
  test('the validator itself rejects broken cards', () => {
    const problems = adaptiveCardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlok', text: 'x' }, { type: 'TextBlock', text: 'y', color: 'Purple' }], actions: [{ type: 'Action.OpenUrl', title: 'no url' }] });
    expect(problems).toHaveLength(3);
  });

  test.each([...events.map((e) => [e.kind, e] as const), ...tokenSnapshots])('%s: valid Adaptive Card 1.5, within 28 KB, matches its snapshot', async (name, event) => {
    const payload = buildTeamsPayload(view(event));
    expect(payload).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null }] });
    const card = buildTeamsCard(view(event));
    expect(card['version']).toBe('1.5');
    expect(adaptiveCardProblems(card)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThan(TEAMS_MAX_BYTES);
    await expect(JSON.stringify(payload, null, 2) + '\n').toMatchFileSnapshot(`../__snapshots__/teams/${name}.json`);
  });

  test.each(everyKindAndSubject().map((e) => [`${e.subject} ${e.kind}`, e] as const))('%s: a title of at most 80 characters, the credential, two short buttons, no ids, no escapes', (_name, event) => {
    const v = view(event);
    const card = buildTeamsCard(v);
    expect(adaptiveCardProblems(card)).toEqual([]);
    const texts = cardTexts(card);
    expect(texts[0]).toBe(v.title);
    expect(v.title.length).toBeLessThanOrEqual(MAX_TITLE);
    const json = JSON.stringify(card);
    expect(json).not.toContain(event.id);
    if (CHANNEL_KINDS.includes(event.kind)) {
      // Nothing to renew and nothing at Apple to open: the channel is named, no button.
      expect(texts[1]).toContain('Teams channel');
      expect(card['actions'] ?? []).toEqual([]);
      return;
    }
    const actions = card['actions'] as Array<{ title: string; url: string }>;
    for (const a of actions) expect(a.title.length).toBeLessThanOrEqual(MAX_BUTTON_TITLE);
    if (event.subject === 'device_certificate') {
      // Nothing at Apple: the list (when the app knows its address) and Intune.
      expect(texts[1]).toContain('Certificates Intune deployed to managed devices');
      expect(actions.map((a) => a.url)).toEqual(['https://intune.microsoft.com']);
    } else {
      expect(texts[1]).toContain(event.subject === 'apns' ? 'Apple MDM push certificate' : '"Contoso Ltd"');
      expect(actions).toHaveLength(2);
      expect(actions[1]!.url).toBe(event.subject === 'apns' ? 'https://identity.apple.com/pushcert' : 'https://business.apple.com');
      expect(actions[0]!.url).toMatch(/^https:\/\/intune\.microsoft\.com/);
    }
    // No markup that reads Markdown (so nothing to escape), no raw ids, no backslash escapes.
    expect(nodes(card).filter((n) => n['type'] === 'TextBlock' || n['type'] === 'FactSet')).toEqual([]);
    expect(json).not.toContain(event.id);
    expect(json).not.toContain('3a1b5c7d-0000-4000-8000-00000000aaaa');
    expect(texts.join('\n')).not.toContain('\\');
  });

  test('the renewal card shows days left large, the push certificate steps with the renew commands, and the right portals', () => {
    const card = buildTeamsCard(view(events.find((e) => e.kind === 'expiring')!));
    const runs = nodes(card).filter((n) => n['type'] === 'TextRun');
    expect(runs.find((r) => r['size'] === 'ExtraLarge')).toMatchObject({ text: '9', weight: 'Bolder' });
    const texts = cardTexts(card).join('');
    expect(texts).toContain('9days left');
    expect(texts).toContain('How to renew');
    expect(runs.filter((r) => r['fontType'] === 'Monospace').map((r) => r['text'])).toEqual(expect.arrayContaining(['apns-monitor renew csr', 'apns-monitor renew upload FILE.pem']));
    expect(texts).toContain('Renew the existing certificate with the same Apple ID (intune-apns@contoso.com)');
    expect(texts).toContain('Never create a new certificate');
    expect(texts).toContain('Europe/Berlin');
    expect(JSON.stringify(card)).toContain('https://intune.microsoft.com/#view/Microsoft_Intune_DeviceSettings/DevicesEnrollmentMenu/~/appleEnrollment');
  });

  test('one day is "1 day", and an expired certificate counts the days left to renew', () => {
    const expiring = { ...events.find((e) => e.kind === 'expiring')!, daysRemaining: 1 };
    expect(view(expiring).title).toBe('Contoso: APNs certificate expires in 1 day');
    expect(view(expiring).countdown).toEqual({ value: '1', caption: 'day left' });
    const expired = events.find((e) => e.kind === 'expired')!;
    expect(view(expired).countdown).toEqual({ value: '29', caption: 'days left to renew (expired less than a day ago)' });
    expect(view({ ...expired, daysRemaining: -2, graceDaysRemaining: 1 }).countdown).toEqual({ value: '1', caption: 'day left to renew (expired 1 day ago)' });
    expect(view({ ...expired, daysRemaining: -31, graceDaysRemaining: -1 }).countdown).toEqual({ value: 'EXPIRED', caption: '30 days ago' });
    expect(view({ ...expired, daysRemaining: -2, graceDaysRemaining: 1 }).title).toBe('Contoso: APNs certificate EXPIRED, 1 day left to renew');
  });

  test('text from Graph is shown as it is, and cannot break the card or run a date function', () => {
    const card = buildTeamsCard(view(hostileEvent()));
    expect(adaptiveCardProblems(card)).toEqual([]);
    const texts = cardTexts(card);
    const appleRow = texts[texts.indexOf('Apple ID') + 1]!;
    expect(appleRow).toContain('*admin*_[click](https://evil.example)_');
    expect(appleRow).not.toContain('{{DATE');
    expect(appleRow.replace(/\u2060/g, '')).toBe(hostileEvent().appleIdentifier);
    expect((card['actions'] as unknown[]).length).toBe(2);
  });

  test('other clouds link to their own Intune admin center', () => {
    const text = JSON.stringify(buildTeamsCard(alertView(events[2]!, { cloud: 'usgov', timeZone: null })));
    expect(text).toContain('https://intune.microsoft.us/');
    expect(text).not.toMatch(/Expires \((?!UTC)/);
  });

  test.each(everyKindAndSubject().map((e) => [`${e.subject} ${e.kind}`, e] as const))('%s with every text at its limit still fits in 28 KB', (_name, event) => {
    for (const char of ['W', '\u0001', '€']) {
      const body = fitTeamsPayload(view(longest(event, char)));
      expect(body).not.toBeNull();
      expect(Buffer.byteLength(body!)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
      expect(adaptiveCardProblems((JSON.parse(body!) as { attachments: Array<{ content: unknown }> }).attachments[0]!.content)).toEqual([]);
    }
  });
});

describe('email', () => {
  const date = new Date('2027-03-05T08:30:00Z');

  test.each([...events.map((e) => [e.kind, e] as const), ...tokenSnapshots])('%s: text and HTML match their snapshots', async (name, event) => {
    const mail = buildEmail(view(event));
    await expect(`Subject: ${mail.subject}\n\n${mail.text}\n`).toMatchFileSnapshot(`../__snapshots__/email/${name}.txt`);
    await expect(mail.html + '\n').toMatchFileSnapshot(`../__snapshots__/email/${name}.html`);
  });

  test('subject lines sort by severity and say what happened, for every kind and subject', () => {
    const expiring = { ...events.find((e) => e.kind === 'expiring')!, daysRemaining: 3, severity: 'critical' as const };
    expect(buildEmail(view(expiring)).subject).toBe('[CRITICAL] Contoso: APNs certificate expires in 3 days');
    expect(buildEmail(view(events.find((e) => e.kind === 'renewed')!)).subject).toBe('[INFO] Contoso: APNs certificate renewed');
    const vpp = tokenEvents.find((e) => e.subject === 'vpp_token' && e.kind === 'expiring')!;
    expect(buildEmail(view(vpp)).subject).toMatch(/^\[(WARNING|CRITICAL|INFO)\] Contoso: VPP token "[^"]+" expires in \d+ days?$/);
    const subjects = everyKindAndSubject()
      .filter((e) => e.kind !== 'test')
      .map((e) => buildEmail(view(e)).subject);
    for (const s of subjects) expect(s).toMatch(/^\[(INFO|WARNING|CRITICAL)\] Contoso: \S/);
    // One subject line per kind and subject (a test message is the same for all): none says the same thing about two different alerts.
    expect(new Set(subjects).size).toBe(subjects.length);
  });

  test('Graph text is escaped in HTML and cannot inject headers', () => {
    const event = hostileEvent();
    const mail = buildEmail(view(event));
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;');
    const mime = buildMime({ ...mail, subject: 'x\r\nBcc: victim@example.com' }, { from: 'alerts@contoso.com', to: ['a@contoso.com'], alertId: event.id, date });
    expect(mime).not.toMatch(/^Bcc:/m);
  });

  test('MIME carries both versions as multipart/alternative, with Date and Message-ID, every header line within 78 characters', () => {
    const event = events[2]!;
    const mime = buildMime(buildEmail(view(event)), { from: 'alerts@contoso.com', to: ['a@contoso.com', 'b@contoso.com'], alertId: event.id, date });
    expect(mime).toMatch(/^From: alerts@contoso.com\r\nTo: a@contoso.com, b@contoso.com\r\n/);
    expect(mime).toContain('\r\nDate: Fri, 05 Mar 2027 08:30:00 +0000\r\n');
    expect(mime).toMatch(/\r\nMessage-ID: <apns-monitor\.[0-9a-f]{32}@contoso\.com>\r\n/);
    expect(mime).toContain('Content-Type: multipart/alternative; boundary="apns-');
    expect(mime).toContain('Content-Type: text/plain; charset=UTF-8');
    expect(mime).toContain('Content-Type: text/html; charset=UTF-8');
    for (const line of mime.split('\r\n')) expect(line.length).toBeLessThanOrEqual(MAX_HEADER_LINE);
  });

  test('every kind of every subject, with its longest texts, makes a mail whose lines stay within 78 characters', () => {
    for (const event of everyKindAndSubject()) {
      const mime = buildMime(buildEmail(view(longest(event, 'é'))), { from: 'alerts@contoso.com', to: ['a@contoso.com'], alertId: 'apns-expiring-5a3c9e1f-000003', date });
      for (const line of mime.split('\r\n')) expect(line.length, `${event.subject} ${event.kind}: ${line.slice(0, 40)}`).toBeLessThanOrEqual(MAX_HEADER_LINE);
    }
  });
});
