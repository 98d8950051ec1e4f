import type { HttpMethod } from '@azure/functions';

/**
 * The function app's functions as the host registers them: names, routes, methods, key levels and
 * schedules, without their handlers. functionDefinitions.ts gives each its handler; functions/
 * registers these at load and loads the handlers on the first invocation (functionRegistry.ts), so
 * a worker's cold start does not parse and run the SDKs before it has anything to do.
 */

export interface HttpFunctionEntry {
  name: string;
  route: string;
  methods: HttpMethod[];
  authLevel: 'anonymous' | 'function';
}

export interface TimerFunctionEntry {
  name: string;
  /** App-setting expression resolved by the host. */
  schedule: string;
}

/** All methods are routed to handlers that answer 405 themselves, with an Allow header. */
export const ANY_METHOD: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export const HTTP_FUNCTIONS: readonly HttpFunctionEntry[] = [
  { name: 'notify', route: 'notify', methods: ANY_METHOD, authLevel: 'function' },
  { name: 'ack', route: 'ack', methods: ANY_METHOD, authLevel: 'function' },
  // One function for the collection and its members: {id?} is the silence in DELETE /api/silences/{id}.
  { name: 'silences', route: 'silences/{id?}', methods: ANY_METHOD, authLevel: 'function' },
  // Anonymous to the host: the handler verifies a Standard Webhooks signature (NOTIFY_SIGNING_SECRET).
  { name: 'notifySigned', route: 'notify/signed', methods: ANY_METHOD, authLevel: 'anonymous' },
  { name: 'status', route: 'status', methods: ANY_METHOD, authLevel: 'function' },
  { name: 'history', route: 'history', methods: ANY_METHOD, authLevel: 'function' },
  // Issue 12: the stored list of device certificates at risk (no Graph call).
  { name: 'deviceCertificates', route: 'device-certificates', methods: ANY_METHOD, authLevel: 'function' },
  { name: 'metrics', route: 'metrics', methods: ANY_METHOD, authLevel: 'function' },
  // The dashboard's "send a test alert" button (issue 15): every channel now, rate-limited.
  { name: 'testAlert', route: 'test-alert', methods: ANY_METHOD, authLevel: 'function' },
  { name: 'dashboard', route: 'dashboard', methods: ANY_METHOD, authLevel: 'function' },
  // Anonymous so a wiki can embed it without carrying a key; it shows only the days left.
  { name: 'badge', route: 'badge.svg', methods: ANY_METHOD, authLevel: 'anonymous' },
];

export const TIMER_FUNCTIONS: readonly TimerFunctionEntry[] = [{ name: 'checkCertificate', schedule: '%CHECK_SCHEDULE%' }];
