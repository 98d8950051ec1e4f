import { describe, expect, test } from 'vitest';
import { parseCertificateBody } from '../../src/graph/certificateReader';
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
