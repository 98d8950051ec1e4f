import { describe, expect, test } from 'vitest';
import type { ApnsCertificate } from '../../src/domain/certificate';
import type { CertificateFacts } from '../../src/renew/certificateFile';
import { parseCertificateFile } from '../../src/renew/certificateFile';
import { runRenewalChecks } from '../../src/renew/checks';
import { confirmationProblem } from '../../src/renew/renewCommand';

const TOPIC = 'com.apple.mgmt.External.8b9f2a3c-1d2e-4f50-9a6b-7c8d9e0f1a2b';
const now = new Date('2026-11-25T00:00:00Z');

const current = (over: Partial<ApnsCertificate> = {}): ApnsCertificate => ({
  id: 'x',
  appleIdentifier: 'intune-apns@contoso.com',
  topicIdentifier: TOPIC,
  expirationDateTime: '2026-12-15T00:00:00.000Z',
  lastModifiedDateTime: null,
  certificateSerialNumber: '01',
  certificateUploadStatus: null,
  certificateUploadFailureReason: null,
  ...over,
});

const facts = (over: Partial<CertificateFacts> = {}): CertificateFacts => ({
  pem: '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n',
  format: 'PEM',
  subject: `UID=${TOPIC}`,
  topic: TOPIC,
  issuerCommonName: 'Apple Application Integration 2 Certification Authority',
  notBefore: '2026-11-24T00:00:00.000Z',
  notAfter: '2027-11-24T00:00:00.000Z',
  serialNumber: '5A1B',
  ...over,
});

const options = { now, appleId: null, allowNewTopic: false, allowAppleIdChange: false };
const refused = (r: ReturnType<typeof runRenewalChecks>) => r.checks.filter((c) => !c.passed).map((c) => c.name);

describe('renewal checks (pure)', () => {
  test('a renewal passes every check and keeps the current Apple ID', () => {
    const r = runRenewalChecks(facts(), current(), options);
    expect(refused(r)).toEqual([]);
    expect(r).toMatchObject({ passed: true, appleIdentifier: 'intune-apns@contoso.com', newTopic: false, appleIdChanged: false });
  });

  test('the older Apple CA is accepted too; a look-alike name is not', () => {
    expect(runRenewalChecks(facts({ issuerCommonName: 'Apple Application Integration Certification Authority' }), current(), options).passed).toBe(true);
    expect(refused(runRenewalChecks(facts({ issuerCommonName: 'Apple Application Integration 3 Certification Authority' }), current(), options))).toEqual(['issuer']);
  });

  test('an expiry equal to the current one is refused (the same certificate again)', () => {
    expect(refused(runRenewalChecks(facts({ notAfter: '2026-12-15T00:00:00.000Z' }), current(), options))).toEqual(['expiry']);
  });

  test('not yet valid is refused', () => {
    expect(refused(runRenewalChecks(facts({ notBefore: '2026-11-26T00:00:00.000Z' }), current(), options))).toEqual(['valid-now']);
  });

  test('no UID, or a current topic Graph does not report, is refused unless --allow-new-topic', () => {
    expect(refused(runRenewalChecks(facts({ topic: null }), current(), { ...options, allowNewTopic: true }))).toEqual(['topic']);
    expect(refused(runRenewalChecks(facts(), current({ topicIdentifier: null }), options))).toEqual(['topic']);
    expect(runRenewalChecks(facts(), current({ topicIdentifier: null }), { ...options, allowNewTopic: true })).toMatchObject({ passed: true, newTopic: true });
  });

  test('Apple ID: case does not matter; unknown current needs --apple-id', () => {
    expect(runRenewalChecks(facts(), current(), { ...options, appleId: 'Intune-APNS@contoso.com' })).toMatchObject({ passed: true, appleIdentifier: 'intune-apns@contoso.com' });
    expect(refused(runRenewalChecks(facts(), current({ appleIdentifier: null }), options))).toEqual(['apple-id']);
    expect(runRenewalChecks(facts(), current({ appleIdentifier: null }), { ...options, appleId: 'a@b.c' })).toMatchObject({ passed: true, appleIdentifier: 'a@b.c' });
  });
});

describe('certificate file parsing', () => {
  test('empty, garbage and a PEM without a certificate are refused, never thrown', () => {
    expect(parseCertificateFile(Buffer.alloc(0))).toMatchObject({ kind: 'refused', reason: 'the file is empty' });
    expect(parseCertificateFile(Buffer.from([0x30, 0x82, 0x01]))).toMatchObject({ kind: 'refused', reason: 'the file is neither a PEM nor a DER X.509 certificate' });
    expect(parseCertificateFile(Buffer.from('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'))).toMatchObject({ kind: 'refused', reason: 'the file holds no certificate (it holds: PUBLIC KEY)' });
    expect(parseCertificateFile(Buffer.from('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n'))).toMatchObject({ kind: 'refused' });
  });

  test('an encrypted private key is refused as a key', () => {
    expect(parseCertificateFile(Buffer.from('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n'))).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/private key/) as unknown });
  });
});

describe('confirmation after the PATCH', () => {
  const uploaded = facts();
  test('the uploaded expiry (to the second), topic and Apple ID: confirmed', () => {
    expect(confirmationProblem(current({ expirationDateTime: '2027-11-24T00:00:00.4Z' }), uploaded, TOPIC, 'intune-apns@contoso.com')).toBeNull();
  });
  test('unchanged expiry, another topic or a reported upload failure: each named', () => {
    const problem = confirmationProblem(current({ topicIdentifier: 'com.apple.mgmt.External.x', certificateUploadStatus: 'failed', certificateUploadFailureReason: 'bad file' }), uploaded, TOPIC, 'intune-apns@contoso.com');
    expect(problem).toMatch(/its expiry is 2026-12-15T00:00:00.000Z, not the uploaded certificate's 2027-11-24T00:00:00.000Z; its topic is com.apple.mgmt.External.x, not com.apple.mgmt.External.8b9f2a3c-\S+ \(upload status: failed - bad file\)$/);
    expect(confirmationProblem(null, uploaded, TOPIC, 'a@b.c')).toBe('Graph now reports no push certificate at all');
  });
});
