import { beforeEach, expect, test } from 'vitest';
import { MAX_HEADER_LINE } from '../../src/notify/mailHeaders';
import { partOf, readMail } from '../doubles/mimeReader';
import { hostileEvent, sampleEvents } from '../support/sampleEvents';
import { storageEnv, testRuntime, useDoubles } from '../support/harness';

// An email goes through the real @azure/identity and Graph client to the Graph double's sendMail route,
// as base64 MIME (Content-Type text/plain); the double decodes it and the test reads it back as a mail
// client would.

const { graph } = useDoubles();

beforeEach(() => {
  graph.sentMail.length = 0;
  graph.sendMailScript.length = 0;
});

function emailChannel(to = 'intune-admins@contoso.com, msp-noc@partner.example') {
  const runtime = testRuntime({ ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso', EMAIL_FROM: 'apns-alerts@contoso.com', EMAIL_TO: to, DISPLAY_TIMEZONE: 'Europe/Berlin' });
  return runtime.channels.find((c) => c.name === 'email')!;
}

test('an alert mail arrives through sendMail with From, To, Subject, Date, Message-ID and both parts', async () => {
  const event = sampleEvents().find((e) => e.kind === 'expiring')!;
  const before = Date.now();
  expect(await emailChannel().notify(event)).toEqual({ result: 'delivered' });
  expect(graph.sentMail).toHaveLength(1);
  const sent = graph.sentMail[0]!;
  expect(sent.from).toBe('apns-alerts@contoso.com');
  expect(sent.mime).not.toBeNull();
  const mail = readMail(sent.mime!);
  expect(mail.headers.get('from')).toBe('apns-alerts@contoso.com');
  expect(mail.headers.get('to')).toBe('intune-admins@contoso.com, msp-noc@partner.example');
  expect(mail.headers.get('subject')).toBe('[WARNING] Contoso: APNs certificate expires in 9 days');
  expect(mail.headers.get('mime-version')).toBe('1.0');
  expect(mail.headers.get('x-apns-monitor-alert-id')).toBe(event.id);
  expect(mail.headers.get('message-id')).toMatch(/^<apns-monitor\.[0-9a-f]{32}@contoso\.com>$/);
  const date = Date.parse(mail.headers.get('date')!);
  expect(date).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  expect(date).toBeLessThanOrEqual(Date.now());
  for (const line of mail.rawHeaderLines) expect(line.length).toBeLessThanOrEqual(MAX_HEADER_LINE);

  const text = partOf(mail, 'text/plain')!.body;
  const html = partOf(mail, 'text/html')!.body;
  expect(text).toContain('9 days left');
  expect(text).toContain('1. Run `apns-monitor renew csr`');
  expect(html).toContain('<code');
  expect(html).toMatch(/<ol[^>]*>\s*<li/);
  expect(html).toContain('href="https://identity.apple.com/pushcert"');
});

test('the HTML part escapes what comes from Graph; a non-ASCII tenant reads back in the subject', async () => {
  const event = { ...hostileEvent(), tenant: 'Société <script>alert(1)</script> & Sons' };
  expect(await emailChannel('a@contoso.com').notify(event)).toEqual({ result: 'delivered' });
  const mail = readMail(graph.sentMail[0]!.mime!);
  // The tenant is cut to 36 characters in a title, so the verb always shows.
  expect(mail.headers.get('subject')).toBe('[WARNING] Société <script>alert(1)</script> &…: APNs certificate expires in 9 days');
  const html = partOf(mail, 'text/html')!.body;
  expect(html).not.toMatch(/<script|<img/);
  expect(html).toContain('Société &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons');
  expect(html).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;img src=x onerror=alert(1)&gt;');
  expect(html).not.toContain('"},{"type":"Action.OpenUrl"@contoso.com"');
  expect(partOf(mail, 'text/plain')!.body).toContain('<script>alert(1)</script>');
});

test('the same alert sent again (a retry) keeps its Message-ID; another alert gets another', async () => {
  const [a, b] = sampleEvents();
  const channel = emailChannel();
  await channel.notify(a!);
  await channel.notify(a!);
  await channel.notify(b!);
  const ids = graph.sentMail.map((m) => readMail(m.mime!).headers.get('message-id'));
  expect(ids[0]).toBe(ids[1]);
  expect(ids[2]).not.toBe(ids[0]);
});
