import { describe, expect, test } from 'vitest';
import { alertView } from '../../src/notify/alertView';
import { buildEmail, buildMime, messageId, rfc5322Date } from '../../src/notify/emailMessage';
import { encodedWords, mailHeader, MAX_ENCODED_WORD, MAX_HEADER_LINE } from '../../src/notify/mailHeaders';
import { decodeHeaderValue, readMail } from '../doubles/mimeReader';
import { sampleEvents } from '../support/sampleEvents';

/** The header as a reader sees it: unfolded, encoded words decoded. */
function readBack(header: string): { name: string; value: string } {
  const unfolded = header.replace(/\r\n(?=[ \t])/g, '');
  const colon = unfolded.indexOf(':');
  return { name: unfolded.slice(0, colon), value: decodeHeaderValue(unfolded.slice(colon + 1).trim()) };
}

function lines(header: string): string[] {
  return header.split('\r\n');
}

function words(header: string): string[] {
  return header.match(/=\?[^?]+\?[BQ]\?[^?]*\?=/g) ?? [];
}

describe('header folding and encoded words', () => {
  test('a short ASCII subject stays as it is, on one line', () => {
    expect(mailHeader('Subject', '[WARNING] Contoso: APNs certificate expires in 9 days')).toBe('Subject: [WARNING] Contoso: APNs certificate expires in 9 days');
  });

  test('a very long ASCII subject is folded at spaces, no line over 78, and reads back unchanged', () => {
    const subject = `[CRITICAL] ${'Contoso Holdings International '.repeat(8)}: APNs certificate expires in 3 days`.replace(/ +/g, ' ');
    const header = mailHeader('Subject', subject);
    expect(lines(header).length).toBeGreaterThan(3);
    for (const l of lines(header)) expect(l.length).toBeLessThanOrEqual(MAX_HEADER_LINE);
    for (const l of lines(header).slice(1)) expect(l).toMatch(/^ \S/);
    expect(words(header)).toEqual([]);
    expect(readBack(header)).toEqual({ name: 'Subject', value: subject });
  });

  test('non-ASCII text goes in UTF-8 encoded words of at most 75 characters, never splitting a character', () => {
    const subject = '[WARNING] Société Générale Zürich 東京支店 🍏: APNs certificate expires in 3 days, ünd the rest of a long line';
    const header = mailHeader('Subject', subject);
    expect(header).toMatch(/^Subject: =\?UTF-8\?B\?/);
    for (const l of lines(header)) expect(l.length).toBeLessThanOrEqual(MAX_HEADER_LINE);
    expect(words(header).length).toBeGreaterThan(1);
    for (const w of words(header)) {
      expect(w.length).toBeLessThanOrEqual(MAX_ENCODED_WORD);
      // Each word decodes on its own to valid UTF-8: no character cut in two.
      const bytes = Buffer.from(w.slice('=?UTF-8?B?'.length, -2), 'base64');
      expect(Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)).toBe(true);
    }
    expect(readBack(header).value).toBe(subject);
  });

  test('a word longer than 75 characters (no space to fold at) is carried in encoded words', () => {
    const long = `Contoso:${'x'.repeat(120)}`;
    const header = mailHeader('Subject', `[INFO] ${long} renewed`);
    for (const l of lines(header)) expect(l.length).toBeLessThanOrEqual(MAX_HEADER_LINE);
    for (const w of words(header)) expect(w.length).toBeLessThanOrEqual(MAX_ENCODED_WORD);
    expect(readBack(header).value).toBe(`[INFO] ${long} renewed`);
  });

  test('the first encoded word leaves room for the header name; the rest fill their own lines', () => {
    const all = encodedWords('é'.repeat(200), 'Subject:'.length);
    expect(`Subject: ${all[0]!}`.length).toBeLessThanOrEqual(MAX_HEADER_LINE);
    for (const w of all) expect(w.length).toBeLessThanOrEqual(MAX_ENCODED_WORD);
    expect(all.slice(1, -1).every((w) => w.length >= MAX_ENCODED_WORD - 4)).toBe(true);
  });

  test('plain text that looks like an encoded word is encoded, so it reads back as written', () => {
    const header = mailHeader('Subject', 'Tenant =?UTF-8?B?SGk=?= expires');
    expect(readBack(header).value).toBe('Tenant =?UTF-8?B?SGk=?= expires');
  });

  test('line breaks and control characters cannot start a new header', () => {
    const header = mailHeader('Subject', 'x\r\nBcc: victim@example.com\u0000');
    expect(lines(header).every((l, i) => i === 0 || /^ /.test(l))).toBe(true);
    expect(readBack(header).value).toBe('x Bcc: victim@example.com');
  });

  test('addresses are folded after commas, never encoded', () => {
    const to = Array.from({ length: 12 }, (_, i) => `intune-admin-${i}@contoso.example.com`).join(', ');
    const header = mailHeader('To', to, 'addresses');
    for (const l of lines(header)) expect(l.length).toBeLessThanOrEqual(MAX_HEADER_LINE);
    expect(words(header)).toEqual([]);
    expect(readBack(header).value).toBe(to);
  });
});

describe('Date and Message-ID', () => {
  const events = sampleEvents();
  const envelope = { from: 'apns-alerts@contoso.com', to: ['admins@contoso.com'] };

  test('Date is an RFC 5322 date-time', () => {
    expect(rfc5322Date(new Date('2027-03-05T08:30:09Z'))).toBe('Fri, 05 Mar 2027 08:30:09 +0000');
  });

  test('every alert occurrence, sender and recipient list has its own Message-ID; a retry of the same keeps it', () => {
    const ids = events.map((e) => messageId({ ...envelope, alertId: e.id }));
    expect(new Set(ids).size).toBe(events.length);
    for (const id of ids) expect(id).toMatch(/^<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@contoso\.com>$/);
    const one = events[0]!.id;
    expect(messageId({ ...envelope, alertId: one })).toBe(ids[0]);
    expect(messageId({ ...envelope, to: ['other@contoso.com'], alertId: one })).not.toBe(ids[0]);
    expect(messageId({ ...envelope, from: 'noc@contoso.com', alertId: one })).not.toBe(ids[0]);
    // Alert ids may hold characters a msg-id cannot; an object-id sender has no domain to borrow.
    expect(messageId({ from: '8b9f2a3c-1d2e-4f50-9a6b-7c8d9e0f1a2b', to: ['a@b.example'], alertId: 'apns_"<weird>@[id]' })).toMatch(/^<apns-monitor\.[0-9a-f]{32}@apns-expiry-monitor\.invalid>$/);
  });

  test('a whole message reads back: headers present and within 78 characters, both parts decoded', () => {
    const event = { ...events[2]!, tenant: 'Société Générale Zürich' };
    const view = alertView(event, { cloud: 'global', timeZone: null });
    const mime = buildMime(buildEmail(view), { ...envelope, alertId: event.id, date: new Date('2027-03-05T08:30:00Z') });
    const mail = readMail(mime);
    for (const l of mail.rawHeaderLines) expect(l.length).toBeLessThanOrEqual(MAX_HEADER_LINE);
    expect(mail.headers.get('subject')).toBe('[WARNING] Société Générale Zürich: APNs certificate expires in 9 days');
    expect(mail.headers.get('date')).toBe('Fri, 05 Mar 2027 08:30:00 +0000');
    expect(mail.headers.get('message-id')).toBe(messageId({ ...envelope, alertId: event.id }));
    expect(mail.parts.map((p) => p.headers.get('content-type'))).toEqual(['text/plain; charset=UTF-8', 'text/html; charset=UTF-8']);
    expect(mail.parts[0]!.body).toContain('Société Générale Zürich: APNs certificate expires in 9 days');
  });
});
