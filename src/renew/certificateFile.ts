import { createPrivateKey, X509Certificate } from 'node:crypto';
import { open } from 'node:fs/promises';

/**
 * Reads the file an admin means to upload as the renewed push certificate: exactly one X.509
 * certificate, PEM or DER. A private key, a signing request or a bundle is refused by name, because
 * each is a real mistake (the CSR goes to Apple, the key never leaves Intune, a bundle hides which
 * certificate Intune would take).
 */

/** Apple's push certificates are about 2 KB; anything far larger is not one. */
export const MAX_CERTIFICATE_FILE_BYTES = 64 * 1024;

/** What the checks need from the certificate, read with node:crypto. */
export interface CertificateFacts {
  /** The PEM to upload: the block from the file, or the DER converted to PEM. */
  pem: string;
  format: 'PEM' | 'DER';
  subject: string;
  /** The subject's UID: the push topic, `com.apple.mgmt.External.<GUID>`. */
  topic: string | null;
  issuerCommonName: string | null;
  notBefore: string;
  notAfter: string;
  serialNumber: string;
}

export type CertificateFileResult =
  | { kind: 'certificate'; certificate: CertificateFacts }
  /** Readable, but not one certificate: a check refuses it (exit 2). */
  | { kind: 'refused'; reason: string }
  /** Missing or unreadable: the command could not run (exit 3). */
  | { kind: 'unreadable'; reason: string };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** One `key=value` field of a distinguished name as node:crypto prints it (one per line). */
function nameField(name: string, key: string): string | null {
  for (const line of name.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0 && line.slice(0, at).trim().toUpperCase() === key.toUpperCase()) return line.slice(at + 1).trim();
  }
  return null;
}

/** Unknown is not valid: a date that does not parse makes the file unreadable as a certificate. */
function iso(openSslDate: string): string {
  const t = Date.parse(openSslDate);
  if (Number.isNaN(t)) throw new Error(`unparseable certificate date ${openSslDate}`);
  return new Date(t).toISOString();
}

export function certificateFacts(x509: X509Certificate, pem: string, format: 'PEM' | 'DER'): CertificateFacts {
  return {
    pem,
    format,
    subject: x509.subject.replace(/\n/g, ', '),
    topic: nameField(x509.subject, 'UID'),
    issuerCommonName: nameField(x509.issuer, 'CN'),
    notBefore: iso(x509.validFrom),
    notAfter: iso(x509.validTo),
    serialNumber: x509.serialNumber,
  };
}

function parsePem(text: string): CertificateFileResult {
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, block: m[0] }));
  const labels = blocks.map((b) => b.label);
  if (labels.some((l) => l.includes('PRIVATE KEY'))) {
    return { kind: 'refused', reason: 'the file holds a private key, not a certificate: upload the certificate Apple issued (the .pem from the Push Certificates Portal); a private key never leaves Intune' };
  }
  if (labels.some((l) => l.includes('CERTIFICATE REQUEST'))) {
    return { kind: 'refused', reason: "the file is a certificate signing request (CSR): that goes to Apple's Push Certificates Portal, and the certificate Apple issues for it is what is uploaded here" };
  }
  const certificates = blocks.filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
  if (certificates.length > 1) {
    return { kind: 'refused', reason: `the file is a bundle of ${certificates.length} certificates: give only the push certificate Apple issued, one certificate per file` };
  }
  if (certificates.length === 0) {
    return { kind: 'refused', reason: `the file holds no certificate${labels.length === 0 ? '' : ` (it holds: ${[...new Set(labels)].join(', ')})`}` };
  }
  const pem = certificates[0]!.block;
  try {
    return { kind: 'certificate', certificate: certificateFacts(new X509Certificate(pem), `${pem}\n`, 'PEM') };
  } catch {
    return { kind: 'refused', reason: 'the file has a CERTIFICATE block that is not a valid X.509 certificate' };
  }
}

function looksLikeDerKey(bytes: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: bytes, format: 'der', type });
      return true;
    } catch {
      // not this key encoding
    }
  }
  return false;
}

function parseDer(bytes: Buffer): CertificateFileResult {
  try {
    const x509 = new X509Certificate(bytes);
    // A DER file is one structure; bytes after it would be a second certificate (a bundle) or garbage.
    if (x509.raw.length !== bytes.length) {
      return { kind: 'refused', reason: 'the file holds more than one DER structure (a bundle?): give only the push certificate Apple issued' };
    }
    return { kind: 'certificate', certificate: certificateFacts(x509, x509.toString(), 'DER') };
  } catch {
    if (looksLikeDerKey(bytes)) return { kind: 'refused', reason: 'the file holds a private key (DER), not a certificate: upload the certificate Apple issued; a private key never leaves Intune' };
    return { kind: 'refused', reason: 'the file is neither a PEM nor a DER X.509 certificate' };
  }
}

/** Parses bytes already read; pure, for the checks and their tests. */
export function parseCertificateFile(bytes: Buffer): CertificateFileResult {
  if (bytes.length === 0) return { kind: 'refused', reason: 'the file is empty' };
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN ')) return parsePem(text);
  return parseDer(bytes);
}

export async function readCertificateFile(path: string): Promise<CertificateFileResult> {
  let bytes: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      // Read at most one byte past the cap, so an oversized file is recognised without reading all of it.
      const buffer = Buffer.alloc(MAX_CERTIFICATE_FILE_BYTES + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      bytes = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : error instanceof Error ? error.message : String(error);
    return { kind: 'unreadable', reason: `cannot read ${path}: ${why}` };
  }
  if (bytes.length > MAX_CERTIFICATE_FILE_BYTES) {
    return { kind: 'refused', reason: `the file is larger than ${MAX_CERTIFICATE_FILE_BYTES / 1024} KiB: a push certificate is about 2 KB` };
  }
  return parseCertificateFile(bytes);
}
