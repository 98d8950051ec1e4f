import type { ApnsCertificate } from '../domain/certificate';
import type { CertificateFacts } from './certificateFile';

/**
 * The checks a renewed push certificate must pass before it is uploaded to Intune. Pure: the file's
 * facts, the certificate Graph reports now, the flags and the time in; one verdict per check out.
 */

/** Apple issues MDM push certificates from these CAs (the first is the current one). */
export const APPLE_PUSH_ISSUERS = ['Apple Application Integration 2 Certification Authority', 'Apple Application Integration Certification Authority'];

export type CheckName = 'certificate' | 'issuer' | 'valid-now' | 'expiry' | 'topic' | 'apple-id';

export interface CheckVerdict {
  name: CheckName;
  passed: boolean;
  why: string;
}

export interface CheckOptions {
  now: Date;
  /** `--apple-id`: null keeps the current one. */
  appleId: string | null;
  allowNewTopic: boolean;
  allowAppleIdChange: boolean;
}

export interface CheckReport {
  checks: CheckVerdict[];
  passed: boolean;
  /** The Apple ID to send with the certificate, when the checks pass. */
  appleIdentifier: string | null;
  /** The file's topic differs from the current one and --allow-new-topic let it through. */
  newTopic: boolean;
  appleIdChanged: boolean;
}

const day = (iso: string) => iso.slice(0, 10);

export function certificateCheck(facts: CertificateFacts): CheckVerdict {
  return { name: 'certificate', passed: true, why: `one X.509 certificate (${facts.format}), serial ${facts.serialNumber}` };
}

function issuerCheck(facts: CertificateFacts): CheckVerdict {
  const issuer = facts.issuerCommonName;
  if (issuer !== null && APPLE_PUSH_ISSUERS.includes(issuer)) return { name: 'issuer', passed: true, why: `issued by ${issuer}` };
  return {
    name: 'issuer',
    passed: false,
    why: `issued by ${issuer === null ? 'an issuer without a common name' : `"${issuer}"`}, not by Apple's "${APPLE_PUSH_ISSUERS[0]}": this is not an MDM push certificate from Apple's Push Certificates Portal`,
  };
}

function validNowCheck(facts: CertificateFacts, now: Date): CheckVerdict {
  const t = now.getTime();
  if (t < Date.parse(facts.notBefore)) return { name: 'valid-now', passed: false, why: `not valid before ${facts.notBefore}` };
  if (t >= Date.parse(facts.notAfter)) return { name: 'valid-now', passed: false, why: `expired on ${facts.notAfter}: download the renewed certificate again from the portal` };
  return { name: 'valid-now', passed: true, why: `valid from ${day(facts.notBefore)} to ${day(facts.notAfter)}` };
}

function expiryCheck(facts: CertificateFacts, current: ApnsCertificate): CheckVerdict {
  if (Date.parse(facts.notAfter) > Date.parse(current.expirationDateTime)) {
    return { name: 'expiry', passed: true, why: `expires ${day(facts.notAfter)}, later than the current certificate (${day(current.expirationDateTime)})` };
  }
  return {
    name: 'expiry',
    passed: false,
    why: `expires ${facts.notAfter}, not later than the current certificate (${current.expirationDateTime}): it is an older or the same certificate, not its renewal`,
  };
}

function topicCheck(facts: CertificateFacts, current: ApnsCertificate, allowNewTopic: boolean): { verdict: CheckVerdict; newTopic: boolean } {
  if (facts.topic === null) {
    return { verdict: { name: 'topic', passed: false, why: 'the certificate has no UID in its subject: it is not an Apple MDM push certificate' }, newTopic: false };
  }
  if (current.topicIdentifier !== null && facts.topic === current.topicIdentifier) {
    return { verdict: { name: 'topic', passed: true, why: `topic ${facts.topic}, the current one: a renewal` }, newTopic: false };
  }
  const currentText = current.topicIdentifier ?? 'unknown (Graph did not report it)';
  if (allowNewTopic) {
    return {
      verdict: { name: 'topic', passed: true, why: `NEW topic ${facts.topic} (current: ${currentText}), allowed by --allow-new-topic: every enrolled device must re-enroll` },
      newTopic: true,
    };
  }
  return {
    verdict: {
      name: 'topic',
      passed: false,
      why: `topic ${facts.topic} differs from the current ${currentText}: this is a NEW certificate, not a renewal, and uploading it would cut every enrolled device off (each must re-enroll). Choose Renew on the existing certificate in the portal; only --allow-new-topic uploads it anyway`,
    },
    newTopic: false,
  };
}

function appleIdCheck(current: ApnsCertificate, options: CheckOptions): { verdict: CheckVerdict; appleIdentifier: string | null; changed: boolean } {
  const now = current.appleIdentifier;
  const asked = options.appleId?.trim() || null;
  if (asked === null) {
    if (now === null) return { verdict: { name: 'apple-id', passed: false, why: 'Graph does not report the current Apple ID: give the one the certificate was renewed with, --apple-id ID' }, appleIdentifier: null, changed: false };
    return { verdict: { name: 'apple-id', passed: true, why: `Apple ID ${now}, the current one` }, appleIdentifier: now, changed: false };
  }
  if (now === null || asked.toLowerCase() === now.toLowerCase()) {
    return { verdict: { name: 'apple-id', passed: true, why: `Apple ID ${asked}${now === null ? ' (Graph does not report the current one)' : ', the current one'}` }, appleIdentifier: now ?? asked, changed: false };
  }
  if (options.allowAppleIdChange) {
    return { verdict: { name: 'apple-id', passed: true, why: `Apple ID changes from ${now} to ${asked}, allowed by --allow-apple-id-change` }, appleIdentifier: asked, changed: true };
  }
  return {
    verdict: {
      name: 'apple-id',
      passed: false,
      why: `--apple-id ${asked} differs from the current Apple ID ${now}: a renewal is made with the same Apple ID; only --allow-apple-id-change records another one`,
    },
    appleIdentifier: null,
    changed: false,
  };
}

/** Every check on a certificate file that is one certificate; the reader refuses anything else first. */
export function runRenewalChecks(facts: CertificateFacts, current: ApnsCertificate, options: CheckOptions): CheckReport {
  const topic = topicCheck(facts, current, options.allowNewTopic);
  const appleId = appleIdCheck(current, options);
  const checks = [certificateCheck(facts), issuerCheck(facts), validNowCheck(facts, options.now), expiryCheck(facts, current), topic.verdict, appleId.verdict];
  const passed = checks.every((c) => c.passed);
  return { checks, passed, appleIdentifier: passed ? appleId.appleIdentifier : null, newTopic: topic.newTopic, appleIdChanged: appleId.changed };
}
