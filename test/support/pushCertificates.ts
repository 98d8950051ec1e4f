import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real certificates for the renewal tests, made with the OpenSSL CLI in a temporary directory: an
 * Apple-like CA and MDM push certificates whose subject carries UID=com.apple.mgmt.External.<GUID>.
 * Every certificate starts now (OpenSSL's clock); expiry is set in days, and tests move the
 * command's clock to make one expired.
 */

export const APPLE_CA_SUBJECT = '/CN=Apple Application Integration 2 Certification Authority/OU=Apple Certification Authority/O=Apple Inc./C=US';

export class PushCertificateFactory {
  readonly dir = mkdtempSync(join(tmpdir(), 'apns-renew-'));
  private serial = 0x5a1b0000;

  private openssl(...args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** A self-signed CA named `name` (its key in `<name>.key`). */
  ca(name: string, subject: string): string {
    this.openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '3650', '-subj', subject);
    return this.path(`${name}.pem`);
  }

  /** A push certificate for `topic`, issued by the CA `caName`, valid from now for `days`; leaves `<name>.key` and `<name>.csr` too. */
  leaf(name: string, caName: string, topic: string, days: number): string {
    const guid = topic.replace(/^com\.apple\.mgmt\.External\./, '');
    this.openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/UID=${topic}/CN=APSP:${guid}/C=US`);
    this.openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-set_serial', String(this.serial++), '-days', String(days), '-out', `${name}.pem`);
    return this.path(`${name}.pem`);
  }

  der(name: string): string {
    this.openssl('x509', '-in', `${name}.pem`, '-outform', 'DER', '-out', `${name}.der`);
    return this.path(`${name}.der`);
  }

  bundle(name: string, ...pems: string[]): string {
    writeFileSync(this.path(name), pems.map((p) => readFileSync(p, 'utf8')).join(''));
    return this.path(name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
