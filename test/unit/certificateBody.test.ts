import { describe, expect, test } from 'vitest';
import { TRUNCATION_MARKER } from '../../src/domain/bound';
import { MAX_FIELD_CHARS, MAX_REASON_CHARS, parseCertificateBody } from '../../src/graph/certificateReader';
import { createRedactor } from '../../src/redact';

const entity = { id: 'x', appleIdentifier: 'a@b.c', topicIdentifier: 't', expirationDateTime: '2027-01-05T02:00:00-08:00', certificateUploadStatus: '' };

describe('Graph body shapes', () => {
  test('the bare entity, normalised to UTC', () => {
    const r = parseCertificateBody(entity);
    expect(r).toMatchObject({ kind: 'found', certificate: { expirationDateTime: '2027-01-05T10:00:00.000Z', appleIdentifier: 'a@b.c', certificateUploadStatus: null } });
  });
  test('inside a value envelope, as an object or an array', () => {
    expect(parseCertificateBody({ value: entity }).kind).toBe('found');
    expect(parseCertificateBody({ value: [entity] }).kind).toBe('found');
    expect(parseCertificateBody({ value: [] }).kind).toBe('not_configured');
  });
  test.each([[{ ...entity, expirationDateTime: 'soon' }], [{ ...entity, expirationDateTime: null }], [{ id: 'x' }], ['text'], [null]])('rejects %j as a failed read', (body) => {
    const r = parseCertificateBody(body);
    expect(r.kind).toBe('failed');
    if (r.kind === 'failed') expect(r.error).toMatch(/expirationDateTime|not an applePushNotificationCertificate/);
  });
});

describe('strict dates', () => {
  test.each([
    ['0001-01-01T00:00:00Z', '"0001-01-01T00:00:00Z"'],
    ['2', '"2"'],
    ['2027-01-01', '"2027-01-01"'],
    ['2027-13-01T00:00:00Z', '"2027-13-01T00:00:00Z"'],
    ['2027-02-30T00:00:00Z', '"2027-02-30T00:00:00Z"'],
    [2, '2'],
    [null, 'null'],
  ])('expirationDateTime %j is a failed read naming the field and the value', (raw, shown) => {
    expect(parseCertificateBody({ ...entity, expirationDateTime: raw })).toEqual({
      kind: 'failed',
      error: `Graph answered an expirationDateTime that is not a date: ${shown}`,
      httpStatus: 200,
    });
  });

  test('an absent expirationDateTime is named as absent', () => {
    const { expirationDateTime: _omitted, ...rest } = entity;
    expect(parseCertificateBody(rest)).toMatchObject({ kind: 'failed', error: 'Graph answered without an expirationDateTime for the push certificate' });
  });

  test('a long unusable value is quoted only in part', () => {
    const r = parseCertificateBody({ ...entity, expirationDateTime: `2027-${'9'.repeat(5000)}` });
    expect(r.kind).toBe('failed');
    if (r.kind === 'failed') {
      expect(r.error.length).toBeLessThan(140);
      expect(r.error).toContain(TRUNCATION_MARKER);
    }
  });

  test('an optional date that is no date becomes null', () => {
    for (const raw of ['0001-01-01T00:00:00Z', '2', '2027-01-01', 7]) {
      expect(parseCertificateBody({ ...entity, lastModifiedDateTime: raw })).toMatchObject({ kind: 'found', certificate: { lastModifiedDateTime: null } });
    }
    expect(parseCertificateBody({ ...entity, lastModifiedDateTime: '2026-01-10T09:00:00.1234567Z' })).toMatchObject({ certificate: { lastModifiedDateTime: '2026-01-10T09:00:00.123Z' } });
  });
});

describe('bounded strings', () => {
  test('every string field is cut to its bound with a visible marker', () => {
    const long = 'y'.repeat(40_000);
    const r = parseCertificateBody({ ...entity, id: long, appleIdentifier: long, topicIdentifier: long, certificateSerialNumber: long, certificateUploadStatus: long, certificateUploadFailureReason: long });
    expect(r.kind).toBe('found');
    if (r.kind !== 'found') return;
    const { expirationDateTime: _e, lastModifiedDateTime: _l, certificateUploadFailureReason, ...short } = r.certificate;
    for (const value of Object.values(short)) {
      expect(value).toHaveLength(MAX_FIELD_CHARS);
      expect(value?.endsWith(TRUNCATION_MARKER)).toBe(true);
    }
    expect(certificateUploadFailureReason).toHaveLength(MAX_REASON_CHARS);
    expect(certificateUploadFailureReason?.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  test('values within their bound are kept whole', () => {
    const r = parseCertificateBody({ ...entity, certificateUploadFailureReason: 'r'.repeat(MAX_REASON_CHARS) });
    expect(r).toMatchObject({ kind: 'found', certificate: { certificateUploadFailureReason: 'r'.repeat(MAX_REASON_CHARS), appleIdentifier: 'a@b.c' } });
  });
});

describe('redaction', () => {
  const redact = createRedactor(['super-secret-value', 'https://prod-12.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=XYZ123456']);
  test('known secrets and URL paths/queries are removed', () => {
    const out = redact('failed posting to https://prod-12.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=XYZ123456 with super-secret-value');
    expect(out).not.toContain('XYZ123456');
    expect(out).not.toContain('super-secret-value');
    expect(out).not.toContain('/workflows/');
  });
  test('unknown URLs keep only their origin, and sig=/code= values go', () => {
    expect(redact('see https://hooks.example.test/path/to/secret?x=1 now')).toBe('see https://hooks.example.test/[redacted] now');
    expect(redact('query code=abc123&sig=def')).toBe('query code=[redacted]&sig=[redacted]');
  });
});
