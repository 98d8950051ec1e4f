import type { HttpHandler, TimerHandler } from '@azure/functions';
import { HTTP_FUNCTIONS, TIMER_FUNCTIONS, type HttpFunctionEntry, type TimerFunctionEntry } from './functionCatalog';
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

export interface HttpFunctionDefinition extends HttpFunctionEntry {
  handler: HttpHandler;
}

export interface TimerFunctionDefinition extends TimerFunctionEntry {
  handler: TimerHandler;
}

export interface FunctionDefinitions {
  http: HttpFunctionDefinition[];
  timers: TimerFunctionDefinition[];
}

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
  // Each function of the catalog (names, routes, key levels: functionCatalog.ts) and its handler.
  const http: Record<string, HttpHandler> = {
    notify: makeNotifyHandler(runtime),
    ack: makeAckHandler(runtime, now),
    silences: makeSilencesHandler(runtime, now),
    notifySigned: makeSignedNotifyHandler(runtime, now),
    status: views.status,
    history: views.history,
    deviceCertificates: makeDeviceCertificatesHandler(runtime, now),
    metrics: views.metrics,
    testAlert: makeTestAlertHandler(runtime, now),
    dashboard: views.dashboard,
    badge: views.badge,
  };
  const timers: Record<string, TimerHandler> = { checkCertificate: makeCheckTimerHandler(runtime) };
  const handler = <T>(handlers: Record<string, T>, name: string): T => {
    const found = handlers[name];
    if (found === undefined) throw new Error(`the function ${name} has no handler`);
    return found;
  };
  return {
    http: HTTP_FUNCTIONS.map((f) => ({ ...f, handler: reportSettingErrors(handler(http, f.name)) })),
    timers: TIMER_FUNCTIONS.map((f) => ({ ...f, handler: reportTimerSettingErrors(handler(timers, f.name)) })),
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
