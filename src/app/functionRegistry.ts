import type { HttpHandler, TimerHandler } from '@azure/functions';
import { HTTP_FUNCTIONS, TIMER_FUNCTIONS, type HttpFunctionEntry, type TimerFunctionEntry } from './functionCatalog';

/**
 * What functions/ registers with the host: each function of the catalog, with a handler that loads
 * the app (functionDefinitions.ts: the handlers, the Azure SDKs, MSAL, the Graph client) on the
 * first invocation and hands over to the same handler from then on. The worker's cold start then
 * loads @azure/functions and this catalog only. In the deployed bundle the app is dist/app.js,
 * required here on first use (scripts/build.cjs); from the TypeScript sources it is the module itself.
 */

type App = typeof import('./functionDefinitions');

let loading: Promise<App> | null = null;

function loadApp(): Promise<App> {
  // A failed load is tried again by the next invocation rather than remembered.
  loading ??= import('./functionDefinitions').catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

function entry<T extends { name: string }>(list: readonly T[], name: string, kind: string): T {
  const found = list.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no ${kind} function named ${name}`);
  return found;
}

export function httpFunction(name: string): HttpFunctionEntry & { handler: HttpHandler } {
  const found = entry(HTTP_FUNCTIONS, name, 'HTTP');
  return { ...found, handler: async (request, context) => (await loadApp()).httpFunction(name).handler(request, context) };
}

export function timerFunction(name: string): TimerFunctionEntry & { handler: TimerHandler } {
  const found = entry(TIMER_FUNCTIONS, name, 'timer');
  return { ...found, handler: async (timer, context) => (await loadApp()).timerFunction(name).handler(timer, context) };
}
