import { randomUUID, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * A loopback HTTPS stand-in for Entra ID (OIDC metadata + client-credentials token endpoint) and for
 * the Microsoft Graph endpoints the monitor calls. The real @azure/identity and Graph client talk to
 * it; its certificate is trusted through NODE_EXTRA_CA_CERTS (see loopbackCaPath).
 */

// The PEM files stay in test/doubles; a bundle that holds this file (dist/demo.js, dist/bench/) finds them there.
const pemDir = [__dirname, join(__dirname, '..', 'test', 'doubles'), join(__dirname, '..', '..', 'test', 'doubles')].find((dir) => existsSync(join(dir, 'loopback-cert.pem'))) ?? __dirname;
export const loopbackCaPath = join(pemDir, 'loopback-cert.pem');
const keyPath = join(pemDir, 'loopback-key.pem');

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Close the connection without answering: a network failure. */
  drop?: boolean;
  /** Never answer: the request stays open until the client gives up or the double closes. */
  hang?: boolean;
  /** Stream a JSON body of about this many bytes (a certificate whose id pads it), in chunks, minding back-pressure. */
  streamBytes?: number;
}

/** How far a streamed body got: `completed` false when the client stopped reading and closed. */
export interface StreamedBody {
  sent: number;
  completed: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | null;
  body: string;
}

export interface GraphDoubleOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** The public client a person signs in with through the device-code flow. */
  publicClientId?: string;
}

/** The device-code grant: RFC 8628's URN, and the short form MSAL sends (Entra accepts both). */
const DEVICE_CODE_GRANTS = new Set(['urn:ietf:params:oauth:grant-type:device_code', 'device_code']);

const DOUBLE_ADMIN_OID = '99999999-8888-7777-6666-555555555555';

/** A PATCH of the push certificate as the double received it. */
export interface RecordedPatch {
  appleIdentifier: unknown;
  certificate: unknown;
  body: Record<string, unknown>;
}

export class GraphDouble {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The certificate Graph serves; null answers 404 like a tenant without one. */
  certificate: Record<string, unknown> | null = null;
  /** One-off answers for the certificate GET, used before the certificate. */
  readonly certificateScript: ScriptedResponse[] = [];
  /** One-off answers for sendMail. */
  readonly sendMailScript: ScriptedResponse[] = [];
  /** One-off answers for the token endpoint (POST …/oauth2/v2.0/token). */
  readonly tokenScript: ScriptedResponse[] = [];
  /** Every body streamed for a `streamBytes` answer. */
  readonly streamedBodies: StreamedBody[] = [];
  private readonly hanging = new Set<ServerResponse>();
  readonly requests: RecordedRequest[] = [];
  /** Mail sent through sendMail; MIME bodies (Content-Type text/plain, base64) are decoded. */
  readonly sentMail: Array<{ from: string; mime: string | null; message: unknown; at: Date }> = [];
  /** Wrap the entity in a `value` envelope, as some reference pages show it. */
  envelope = false;
  /** VPP tokens served at /deviceAppManagement/vppTokens (v1.0 and beta), `token` secret included like Graph. */
  vppTokens: Array<Record<string, unknown>> = [];
  /** ADE tokens served at /beta/deviceManagement/depOnboardingSettings; v1.0 answers 400 like Graph. */
  depOnboardingSettings: Array<Record<string, unknown>> = [];
  /** One-off answers for the token collections, used before the data (any page). */
  readonly vppTokensScript: ScriptedResponse[] = [];
  readonly depOnboardingSettingsScript: ScriptedResponse[] = [];
  /**
   * Device certificates (issue 12) at /beta/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates:
   * an array, or a page source that makes each page on demand (200,000 never held at once).
   */
  deviceCertificateStates: ReadonlyArray<object> | DeviceCertificatePages = [];
  /** One-off answers for the device certificates, used before the data (any page). */
  readonly deviceCertificateStatesScript: ScriptedResponse[] = [];
  /** One-off answers for one page (0 the first) of the device certificates, used once each. */
  readonly deviceCertificatePageScript = new Map<number, ScriptedResponse>();
  /** Items per page of the device certificates; null honours $top (at most 1,000, as Intune pages). */
  deviceCertificatePageSize: number | null = null;
  /** Items per page of the token collections; more are offered through @odata.nextLink. */
  collectionPageSize = 100;
  /** Answer every property whatever $select says (a careless server), to prove the reader drops the secret. */
  ignoreSelect = false;
  /** Scopes the token endpoint grants besides its own `<origin>/.default`. */
  readonly extraScopes = new Set<string>();
  /** The public client accepted by the device-code flow. */
  readonly publicClientId: string;
  /** What the CSR download answers in `value`. */
  csr = '-----BEGIN NEW CERTIFICATE REQUEST-----\r\nMIIC double CSR\r\n-----END NEW CERTIFICATE REQUEST-----\r\n';
  /** One-off answers for the PATCH of the push certificate, used before applying it. */
  readonly patchScript: ScriptedResponse[] = [];
  /** `apply`: a PATCH with a certificate sets expiry, topic and serial from it, as Intune does; `ignore`: it answers 200 and changes nothing. */
  patchMode: 'apply' | 'ignore' = 'apply';
  readonly patches: RecordedPatch[] = [];
  /** GET /organization's displayName; null answers an empty list. */
  organizationDisplayName: string | null = 'Contoso Ltd';
  /** Device-code flow: how many polls answer authorization_pending before the token is granted. */
  deviceCodePendingPolls = 1;
  /** Device-code flow: the person declines instead of signing in. */
  deviceCodeDeclined = false;
  /** Scopes asked for in the device-code flow, one entry per device-code request. */
  readonly deviceCodeScopes: string[] = [];
  private readonly deviceCodes = new Map<string, number>();
  private readonly tokens = new Set<string>();
  private server: Server | null = null;
  private port = 0;

  constructor(options: GraphDoubleOptions = {}) {
    this.tenantId = options.tenantId ?? '11111111-2222-3333-4444-555555555555';
    this.clientId = options.clientId ?? 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    this.clientSecret = options.clientSecret ?? 'double-client-secret-value-0123456789';
    this.publicClientId = options.publicClientId ?? 'bbbbbbbb-cccc-dddd-eeee-ffffffffffff';
  }

  get origin(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get tokensIssued(): number {
    return this.tokens.size;
  }

  /** Settings that point the monitor at this double. */
  env(): Record<string, string> {
    return {
      AZURE_TENANT_ID: this.tenantId,
      AZURE_CLIENT_ID: this.clientId,
      AZURE_CLIENT_SECRET: this.clientSecret,
      AZURE_AUTHORITY_HOST: this.origin,
      GRAPH_ENDPOINT: this.origin,
    };
  }

  async start(): Promise<this> {
    this.server = createServer({ key: readFileSync(keyPath), cert: readFileSync(loopbackCaPath) }, (req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    if (this.server === null) return;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  private async stream(res: ServerResponse, status: number, bytes: number): Promise<void> {
    const progress: StreamedBody = { sent: 0, completed: false };
    this.streamedBodies.push(progress);
    const head = `{"expirationDateTime":"2027-01-05T10:00:00Z","id":"`;
    const chunk = 'x'.repeat(64 * 1024);
    res.writeHead(status, { 'content-type': 'application/json' });
    const write = (text: string) => {
      progress.sent += text.length;
      return res.write(text) ? Promise.resolve(true) : new Promise<boolean>((resolve) => {
        res.once('drain', () => resolve(true));
        res.once('close', () => resolve(false));
      });
    };
    if (!(await write(head))) return;
    while (progress.sent + chunk.length < bytes) {
      if (res.destroyed || !(await write(chunk))) return;
    }
    res.end('"}');
    progress.completed = !res.destroyed;
  }

  private applyUpload(body: Record<string, unknown>): void {
    this.certificate = uploadedState(this.certificate, body, new Date());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.origin);
    this.requests.push({ method: req.method ?? '', path: url.pathname + url.search, authorization: req.headers.authorization ?? null, body });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, payload === undefined ? headers : { 'content-type': 'application/json', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const scripted = (script: ScriptedResponse[]): boolean => {
      const next = script.shift();
      if (next === undefined) return false;
      if (next.drop === true) req.socket.destroy();
      else if (next.hang === true) {
        this.hanging.add(res);
        res.once('close', () => this.hanging.delete(res));
      } else if (next.streamBytes !== undefined) void this.stream(res, next.status, next.streamBytes);
      else send(next.status, next.body, next.headers);
      return true;
    };

    const tenantBase = `/${this.tenantId}`;
    if (req.method === 'GET' && url.pathname === `${tenantBase}/v2.0/.well-known/openid-configuration`) {
      return send(200, {
        issuer: `${this.origin}${tenantBase}/v2.0`,
        authorization_endpoint: `${this.origin}${tenantBase}/oauth2/v2.0/authorize`,
        token_endpoint: `${this.origin}${tenantBase}/oauth2/v2.0/token`,
        end_session_endpoint: `${this.origin}${tenantBase}/oauth2/v2.0/logout`,
        jwks_uri: `${this.origin}${tenantBase}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (req.method === 'POST' && url.pathname === `${tenantBase}/oauth2/v2.0/devicecode`) {
      const form = new URLSearchParams(body);
      if (form.get('client_id') !== this.publicClientId) {
        return send(400, { error: 'unauthorized_client', error_description: `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.` });
      }
      this.deviceCodeScopes.push(form.get('scope') ?? '');
      const deviceCode = randomUUID();
      this.deviceCodes.set(deviceCode, this.deviceCodePendingPolls);
      return send(200, {
        device_code: deviceCode,
        user_code: 'DBLCODE12',
        verification_uri: 'https://microsoft.com/devicelogin',
        expires_in: 900,
        // Zero: a pending poll is answered again at once, so tests never wait.
        interval: 0,
        message: 'To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code DBLCODE12 to authenticate.',
      });
    }
    if (req.method === 'POST' && url.pathname === `${tenantBase}/oauth2/v2.0/token` && DEVICE_CODE_GRANTS.has(new URLSearchParams(body).get('grant_type') ?? '')) {
      const form = new URLSearchParams(body);
      const code = form.get('device_code') ?? '';
      const pending = this.deviceCodes.get(code);
      if (form.get('client_id') !== this.publicClientId || pending === undefined) {
        return send(400, { error: 'invalid_grant', error_description: 'AADSTS70000: unknown device code' });
      }
      if (this.deviceCodeDeclined) return send(400, { error: 'authorization_declined', error_description: 'AADSTS70000: the user declined the sign-in' });
      if (pending > 0) {
        this.deviceCodes.set(code, pending - 1);
        return send(400, { error: 'authorization_pending', error_description: 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.' });
      }
      this.deviceCodes.delete(code);
      const token = randomUUID();
      this.tokens.add(token);
      // A person's sign-in comes with an ID token and client_info, from which MSAL keeps the account
      // (in memory) and answers the next request silently instead of asking for another device code.
      const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const seconds = Math.floor(Date.now() / 1000);
      const claims = { aud: this.publicClientId, iss: `${this.origin}/${this.tenantId}/v2.0`, tid: this.tenantId, oid: DOUBLE_ADMIN_OID, sub: 'double-admin-subject', preferred_username: 'admin@contoso.example', name: 'Intune Admin', iat: seconds, nbf: seconds, exp: seconds + 3600, ver: '2.0' };
      return send(200, {
        token_type: 'Bearer',
        scope: form.get('scope') ?? '',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: token,
        id_token: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`,
        client_info: b64url({ uid: DOUBLE_ADMIN_OID, utid: this.tenantId }),
      });
    }
    if (req.method === 'POST' && url.pathname === `${tenantBase}/oauth2/v2.0/token`) {
      if (scripted(this.tokenScript)) return;
      const form = new URLSearchParams(body);
      if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) {
        return send(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      }
      const scope = form.get('scope') ?? '';
      if (scope !== `${this.origin}/.default` && !this.extraScopes.has(scope)) {
        return send(400, { error: 'invalid_scope', error_description: `AADSTS70011: unexpected scope ${form.get('scope')}` });
      }
      const token = randomUUID();
      this.tokens.add(token);
      return send(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
    }

    const graphPath = url.pathname.replace(/^\/(v1\.0|beta)/, '');
    const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (!this.tokens.has(bearer)) {
      return send(401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty or invalid.' } });
    }
    if (req.method === 'GET' && graphPath === '/deviceManagement/applePushNotificationCertificate') {
      if (scripted(this.certificateScript)) return;
      if (this.certificate === null) {
        return send(404, { error: { code: 'ResourceNotFound', message: 'applePushNotificationCertificate not found' } });
      }
      const select = url.searchParams.get('$select')?.split(',');
      const entity = Object.fromEntries(Object.entries(this.certificate).filter(([k]) => select === undefined || select.includes(k)));
      const odata = { '@odata.context': `${this.origin}/v1.0/$metadata#deviceManagement/applePushNotificationCertificate/$entity` };
      return send(200, this.envelope ? { ...odata, value: entity } : { ...odata, ...entity });
    }
    if (req.method === 'GET' && /^\/deviceManagement\/applePushNotificationCertificate\/downloadApplePushNotificationCertificateSigningRequest(\(\))?$/.test(graphPath)) {
      if (this.certificate === null && this.csr === '') return send(404, { error: { code: 'ResourceNotFound', message: 'no signing request' } });
      return send(200, { '@odata.context': `${this.origin}/v1.0/$metadata#Edm.String`, value: this.csr });
    }
    if (req.method === 'PATCH' && graphPath === '/deviceManagement/applePushNotificationCertificate') {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return send(400, { error: { code: 'BadRequest', message: 'the body is not JSON' } });
      }
      this.patches.push({ appleIdentifier: parsed['appleIdentifier'], certificate: parsed['certificate'], body: parsed });
      if (scripted(this.patchScript)) return;
      if (this.patchMode === 'apply') this.applyUpload(parsed);
      return send(200, { '@odata.type': '#microsoft.graph.applePushNotificationCertificate', ...(this.certificate ?? {}) });
    }
    if (req.method === 'GET' && graphPath === '/organization') {
      const value = this.organizationDisplayName === null ? [] : [{ id: this.tenantId, displayName: this.organizationDisplayName }];
      return send(200, { '@odata.context': `${this.origin}/v1.0/$metadata#organization(displayName)`, value });
    }
    const mail = /^\/users\/([^/]+)\/sendMail$/.exec(graphPath);
    if (req.method === 'POST' && mail !== null) {
      if (scripted(this.sendMailScript)) return;
      const isMime = (req.headers['content-type'] ?? '').startsWith('text/plain');
      if (isMime && !/^[A-Za-z0-9+/=\r\n]+$/.test(body)) return send(400, { error: { code: 'ErrorMimeContentInvalidBase64String', message: 'Invalid base64 string for MIME content.' } });
      this.sentMail.push({ from: decodeURIComponent(mail[1]!), mime: isMime ? Buffer.from(body, 'base64').toString('utf8') : null, message: isMime ? null : (JSON.parse(body) as unknown), at: new Date() });
      return send(202, undefined);
    }
    const version = /^\/(v1\.0|beta)\//.exec(url.pathname)?.[1] ?? null;
    if (req.method === 'GET' && graphPath === VPP_PATH && version !== null) {
      if (scripted(this.vppTokensScript)) return;
      return this.serveCollection(url, version, VPP_PATH, this.vppTokens, version === 'beta' ? VPP_FIELDS_BETA : VPP_FIELDS_V1, 'vppToken', send);
    }
    if (req.method === 'GET' && graphPath === ADE_PATH && version !== null) {
      if (version !== 'beta') {
        return send(400, { error: { code: 'BadRequest', message: "Resource not found for the segment 'depOnboardingSettings'." } });
      }
      if (scripted(this.depOnboardingSettingsScript)) return;
      return this.serveCollection(url, version, ADE_PATH, this.depOnboardingSettings, ADE_FIELDS, 'depOnboardingSetting', send);
    }
    if (req.method === 'GET' && graphPath === DEVICE_CERT_PATH && version !== null) {
      if (version !== 'beta') return send(400, { error: { code: 'BadRequest', message: "Resource not found for the segment 'deviceConfigurationsAllManagedDeviceCertificateStates'." } });
      if (scripted(this.deviceCertificateStatesScript)) return;
      return this.serveDeviceCertificates(url, req, res, send);
    }
    return send(404, { error: { code: 'UnknownPath', message: `no route for ${req.method} ${url.pathname}` } });
  }

  private serveDeviceCertificates(url: URL, req: IncomingMessage, res: ServerResponse, send: (status: number, payload: unknown, headers?: Record<string, string>) => void): void {
    const selectParam = url.searchParams.get('$select');
    const select = selectParam === null ? undefined : selectParam.split(',');
    const unknown = select?.find((f) => !DEVICE_CERT_FIELDS.has(f));
    if (unknown !== undefined) return send(400, { error: { code: 'BadRequest', message: `Could not find a property named '${unknown}' on type 'microsoft.graph.managedAllDeviceCertificateState'.` } });
    // The skip token carries the page size asked for first, as Graph's opaque tokens do.
    const token = /^page-(\d+)-(\d+)$/.exec(url.searchParams.get('$skiptoken') ?? '');
    const top = Number(token?.[2] ?? url.searchParams.get('$top') ?? '1000');
    const size = this.deviceCertificatePageSize ?? Math.min(1000, Number.isInteger(top) && top > 0 ? top : 1000);
    const skip = Number(token?.[1] ?? '0');
    const pageIndex = Math.floor(skip / size);
    const script = this.deviceCertificatePageScript.get(pageIndex);
    if (script !== undefined) {
      this.deviceCertificatePageScript.delete(pageIndex);
      if (script.drop === true) return void req.socket.destroy();
      if (script.hang === true) {
        this.hanging.add(res);
        res.once('close', () => this.hanging.delete(res));
        return;
      }
      return send(script.status, script.body, script.headers);
    }
    const source = this.deviceCertificateStates;
    const total = 'total' in source ? source.total : source.length;
    const items = 'total' in source ? source.page(skip, Math.min(size, Math.max(0, total - skip))) : source.slice(skip, skip + size);
    const value = items.map((item) => Object.fromEntries(Object.entries(item).filter(([k]) => this.ignoreSelect || select === undefined || select.includes(k))));
    const body: Record<string, unknown> = { '@odata.context': `${this.origin}/beta/$metadata#deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates`, value };
    if (skip + size < total) {
      // Graph keeps $select in the link and drops $top (the skip token carries the paging).
      body['@odata.nextLink'] = `${this.origin}/beta${DEVICE_CERT_PATH}?${[...(selectParam === null ? [] : [`$select=${selectParam}`]), `$skiptoken=page-${skip + size}-${size}`].join('&')}`;
    }
    return send(200, body);
  }

  /** A collection page as Graph serves it: $select honoured (unknown properties are a 400), paged by $skiptoken. */
  private serveCollection(
    url: URL,
    version: string,
    path: string,
    items: ReadonlyArray<Record<string, unknown>>,
    known: ReadonlySet<string>,
    type: string,
    send: (status: number, payload: unknown) => void,
  ): void {
    const selectParam = url.searchParams.get('$select');
    const select = selectParam === null ? undefined : selectParam.split(',');
    const unknown = select?.find((f) => !known.has(f));
    if (unknown !== undefined) {
      return send(400, { error: { code: 'BadRequest', message: `Could not find a property named '${unknown}' on type 'microsoft.graph.${type}'.` } });
    }
    const skip = Number(/^page-(\d+)$/.exec(url.searchParams.get('$skiptoken') ?? '')?.[1] ?? '0');
    const page = items.slice(skip, skip + this.collectionPageSize);
    const value = page.map((item) => Object.fromEntries(Object.entries(item).filter(([k]) => this.ignoreSelect || select === undefined || select.includes(k))));
    const body: Record<string, unknown> = { '@odata.context': `${this.origin}/${version}/$metadata#${path.slice(1)}`, value };
    if (skip + this.collectionPageSize < items.length) {
      const query = [...(selectParam === null ? [] : [`$select=${selectParam}`]), `$skiptoken=page-${skip + this.collectionPageSize}`].join('&');
      body['@odata.nextLink'] = `${this.origin}/${version}${path}?${query}`;
    }
    return send(200, body);
  }
}

/** A page source for many device certificates: `page(skip, count)` makes items skip … skip+count-1. */
export interface DeviceCertificatePages {
  total: number;
  page: (skip: number, count: number) => object[];
}

const DEVICE_CERT_PATH = '/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates';
const DEVICE_CERT_FIELDS = new Set([
  'id',
  'certificateRevokeStatus',
  'certificateRevokeStatusLastChangeDateTime',
  'managedDeviceDisplayName',
  'userPrincipalName',
  'certificateExpirationDateTime',
  'certificateIssuerName',
  'certificateThumbprint',
  'certificateSerialNumber',
  'certificateSubjectName',
  'certificateKeyUsages',
  'certificateExtendedKeyUsages',
  'certificateIssuanceDateTime',
]);
const VPP_PATH = '/deviceAppManagement/vppTokens';
const ADE_PATH = '/deviceManagement/depOnboardingSettings';
const VPP_FIELDS_V1 = new Set(['id', 'organizationName', 'vppTokenAccountType', 'appleId', 'expirationDateTime', 'lastSyncDateTime', 'token', 'lastModifiedDateTime', 'state', 'lastSyncStatus', 'automaticallyUpdateApps', 'countryOrRegion']);
const VPP_FIELDS_BETA = new Set([...VPP_FIELDS_V1, 'displayName', 'locationName', 'dataSharingConsentGranted', 'claimTokenManagementFromExternalMdm', 'roleScopeTagIds', 'tokenActionResults']);
const ADE_FIELDS = new Set(['id', 'appleIdentifier', 'tokenExpirationDateTime', 'lastModifiedDateTime', 'lastSuccessfulSyncDateTime', 'lastSyncTriggeredDateTime', 'shareTokenWithSchoolDataSyncService', 'lastSyncErrorCode', 'tokenType', 'tokenName', 'syncedDeviceCount', 'dataSharingConsentGranted', 'roleScopeTagIds']);

/** The VPP secret the double serves: tests scan every output for it. */
export const VPP_TOKEN_SECRET_PREFIX = 'VPP-SECRET-eyJleHBEYXRlIjoi';

/** A Graph-shaped VPP token with sensible defaults, its secret `token` included as Graph has it. */
export function vppToken(id: string, expirationDateTime: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.vppToken',
    id,
    organizationName: 'Contoso Ltd',
    vppTokenAccountType: 'business',
    appleId: 'vpp-admin@contoso.com',
    expirationDateTime,
    lastSyncDateTime: '2026-12-26T06:00:00Z',
    token: `${VPP_TOKEN_SECRET_PREFIX}${id}`,
    lastModifiedDateTime: '2026-01-10T09:00:00Z',
    state: 'valid',
    lastSyncStatus: 'completed',
    automaticallyUpdateApps: true,
    countryOrRegion: 'us',
    ...overrides,
  };
}

/** A Graph-shaped ADE token (depOnboardingSetting) with sensible defaults. */
export function adeToken(id: string, tokenExpirationDateTime: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.depOnboardingSetting',
    id,
    appleIdentifier: 'ade-admin@contoso.com',
    tokenExpirationDateTime,
    lastModifiedDateTime: '2026-01-10T09:00:00Z',
    lastSuccessfulSyncDateTime: '2026-12-26T06:00:00Z',
    lastSyncTriggeredDateTime: '2026-12-26T06:00:00Z',
    shareTokenWithSchoolDataSyncService: false,
    lastSyncErrorCode: 0,
    tokenType: 'dep',
    tokenName: `ADE token ${id}`,
    syncedDeviceCount: 42,
    dataSharingConsentGranted: true,
    roleScopeTagIds: ['0'],
    ...overrides,
  };
}

/**
 * What Intune would show after an upload: the expiry, topic (the subject's UID) and serial come from the
 * certificate, the Apple ID from the request. An unparseable certificate records an upload failure.
 */
function uploadedState(previous: Record<string, unknown> | null, body: Record<string, unknown>, now: Date): Record<string, unknown> {
  const base = previous ?? apnsCertificate(now.toISOString());
  try {
    const x509 = new X509Certificate(String(body['certificate'] ?? ''));
    const uid = x509.subject.split('\n').find((line) => line.startsWith('UID='))?.slice(4) ?? null;
    return {
      ...base,
      appleIdentifier: typeof body['appleIdentifier'] === 'string' ? body['appleIdentifier'] : base['appleIdentifier'],
      topicIdentifier: uid,
      expirationDateTime: new Date(x509.validTo).toISOString(),
      certificateSerialNumber: x509.serialNumber,
      lastModifiedDateTime: now.toISOString(),
      certificateUploadStatus: null,
      certificateUploadFailureReason: null,
    };
  } catch {
    return { ...base, certificateUploadStatus: 'failed', certificateUploadFailureReason: 'The certificate could not be read' };
  }
}

/** A Graph-shaped certificate with sensible defaults. */
export function apnsCertificate(expirationDateTime: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.applePushNotificationCertificate',
    id: 'c4c8f047-f047-c4c8-47f0-c8c447f0c8c4',
    appleIdentifier: 'intune-apns@contoso.com',
    topicIdentifier: 'com.apple.mgmt.External.8b9f2a3c-1d2e-4f50-9a6b-7c8d9e0f1a2b',
    lastModifiedDateTime: '2026-01-10T09:00:00Z',
    expirationDateTime,
    certificateUploadStatus: null,
    certificateUploadFailureReason: null,
    certificateSerialNumber: '5A1B3C7D9E2F4A6B',
    certificate: 'MIIF...blob-never-selected',
    ...overrides,
  };
}
