import type { HttpHandler, HttpMethod, TimerHandler } from '@azure/functions';
import { makeCheckTimerHandler } from './checkHandler';
import { makeNotifyHandler } from './notifyHandler';
import { makeStatusHandlers } from './statusHandlers';
import { sharedRuntime, type Runtime } from './runtime';

/**
 * Every function of the app, defined once: `functions/` registers these with the Functions host and
 * the local host (`apns-monitor serve`) serves the same objects.
 */

export interface HttpFunctionDefinition {
  name: string;
  route: string;
  methods: HttpMethod[];
  authLevel: 'anonymous' | 'function';
  handler: HttpHandler;
}

export interface TimerFunctionDefinition {
  name: string;
  /** App-setting expression resolved by the host. */
  schedule: string;
  handler: TimerHandler;
}

export interface FunctionDefinitions {
  http: HttpFunctionDefinition[];
  timers: TimerFunctionDefinition[];
}

/** All methods are routed to handlers that answer 405 themselves, with an Allow header. */
const ANY_METHOD: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export function defineFunctions(runtime: () => Runtime = sharedRuntime, now: () => Date = () => new Date()): FunctionDefinitions {
  const views = makeStatusHandlers(runtime, now);
  return {
    http: [
      { name: 'notify', route: 'notify', methods: ANY_METHOD, authLevel: 'function', handler: makeNotifyHandler(runtime) },
      { name: 'status', route: 'status', methods: ANY_METHOD, authLevel: 'function', handler: views.status },
      { name: 'history', route: 'history', methods: ANY_METHOD, authLevel: 'function', handler: views.history },
      { name: 'dashboard', route: 'dashboard', methods: ANY_METHOD, authLevel: 'function', handler: views.dashboard },
      // Anonymous so a wiki can embed it without carrying a key; it shows only the days left.
      { name: 'badge', route: 'badge.svg', methods: ANY_METHOD, authLevel: 'anonymous', handler: views.badge },
    ],
    timers: [{ name: 'checkCertificate', schedule: '%CHECK_SCHEDULE%', handler: makeCheckTimerHandler(runtime) }],
  };
}

const appFunctions = defineFunctions();

export function httpFunction(name: string): HttpFunctionDefinition {
  const found = appFunctions.http.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no HTTP function named ${name}`);
  return found;
}

export function timerFunction(name: string): TimerFunctionDefinition {
  const found = appFunctions.timers.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no timer function named ${name}`);
  return found;
}
