import type { HttpHandler, HttpMethod, TimerHandler } from '@azure/functions';
import { ConfigError } from '../config';
import { makeAckHandler } from './ackHandler';
import { makeCheckTimerHandler } from './checkHandler';
import { makeDeviceCertificatesHandler } from './deviceCertificatesHandler';
import { makeNotifyHandler } from './notifyHandler';
import { makeSignedNotifyHandler } from './signedNotifyHandler';
import { makeSilencesHandler } from './silencesHandler';
import { makeStatusHandlers } from './statusHandlers';
import { makeTestAlertHandler } from './testAlertHandler';
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

/**
 * A bad app setting is reported as its one-line message, not a stack trace: HTTP callers get a
 * generic 500 (the badge is anonymous, so setting values stay in the log), the timer fails with the
 * message.
 */
function reportSettingErrors(handler: HttpHandler): HttpHandler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      context.error(error.message);
      return { status: 500, jsonBody: { error: 'the monitor is misconfigured: see the function log' } };
    }
  };
}

function reportTimerSettingErrors(handler: TimerHandler): TimerHandler {
  return async (timer, context) => {
    try {
      await handler(timer, context);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      context.error(error.message);
      const failure = new Error(error.message);
      failure.stack = error.message;
      throw failure;
    }
  };
}

export function defineFunctions(runtime: () => Runtime = sharedRuntime, now: () => Date = () => new Date()): FunctionDefinitions {
  const views = makeStatusHandlers(runtime, now);
  return {
    http: [
      { name: 'notify', route: 'notify', methods: ANY_METHOD, authLevel: 'function', handler: reportSettingErrors(makeNotifyHandler(runtime)) },
      { name: 'ack', route: 'ack', methods: ANY_METHOD, authLevel: 'function', handler: reportSettingErrors(makeAckHandler(runtime, now)) },
      // One function for the collection and its members: {id?} is the silence in DELETE /api/silences/{id}.
      { name: 'silences', route: 'silences/{id?}', methods: ANY_METHOD, authLevel: 'function', handler: reportSettingErrors(makeSilencesHandler(runtime, now)) },
      // Anonymous to the host: the handler verifies a Standard Webhooks signature (NOTIFY_SIGNING_SECRET).
      { name: 'notifySigned', route: 'notify/signed', methods: ANY_METHOD, authLevel: 'anonymous', handler: reportSettingErrors(makeSignedNotifyHandler(runtime, now)) },
      { name: 'status', route: 'status', methods: ANY_METHOD, authLevel: 'function', handler: reportSettingErrors(views.status) },
      { name: 'history', route: 'history', methods: ANY_METHOD, authLevel: 'function', handler: reportSettingErrors(views.history) },
      // Issue 12: the stored list of device certificates at risk (no Graph call).
      { name: 'deviceCertificates', route: 'device-certificates', methods: ANY_METHOD, authLevel: 'function', handler: reportSettingErrors(makeDeviceCertificatesHandler(runtime, now)) },
      { name: 'metrics', route: 'metrics', methods: ANY_METHOD, authLevel: 'function', handler: reportSettingErrors(views.metrics) },
      // The dashboard's "send a test alert" button (issue 15): every channel now, rate-limited.
      { name: 'testAlert', route: 'test-alert', methods: ANY_METHOD, authLevel: 'function', handler: reportSettingErrors(makeTestAlertHandler(runtime, now)) },
      { name: 'dashboard', route: 'dashboard', methods: ANY_METHOD, authLevel: 'function', handler: reportSettingErrors(views.dashboard) },
      // Anonymous so a wiki can embed it without carrying a key; it shows only the days left.
      { name: 'badge', route: 'badge.svg', methods: ANY_METHOD, authLevel: 'anonymous', handler: reportSettingErrors(views.badge) },
    ],
    timers: [{ name: 'checkCertificate', schedule: '%CHECK_SCHEDULE%', handler: reportTimerSettingErrors(makeCheckTimerHandler(runtime)) }],
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
