import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { app } from '@azure/functions';
import { expect, test, vi } from 'vitest';
import { defineFunctions } from '../../src/app/functionDefinitions';

test('each functions/ file registers one definition from src/app, as defined', async () => {
  // Off the Functions host the package skips registration; the calls are observed instead.
  const http = vi.spyOn(app, 'http').mockImplementation(() => undefined);
  const timer = vi.spyOn(app, 'timer').mockImplementation(() => undefined);
  const dir = join(__dirname, '..', '..', 'functions');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  for (const file of files) await import(join(dir, file));

  const defined = defineFunctions();
  expect(files).toHaveLength(defined.http.length + defined.timers.length);
  const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
  expect(http.mock.calls.map(([name, options]) => [name, options.route, options.authLevel, options.methods]).sort(byName)).toEqual(
    defined.http.map((d) => [d.name, d.route, d.authLevel, d.methods]).sort(byName),
  );
  expect(timer.mock.calls.map(([name, options]) => [name, options.schedule])).toEqual(defined.timers.map((d) => [d.name, d.schedule]));
});

test('a registered handler loads the app on its first invocation and answers as the defined handler does', async () => {
  const { HttpRequest, InvocationContext } = await import('@azure/functions');
  const http = vi.spyOn(app, 'http').mockImplementation(() => undefined);
  const { httpFunction } = await import('../../src/app/functionRegistry');
  const registered = httpFunction('status');
  const request = () => new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/status' });
  const context = () => new InvocationContext({ functionName: 'status', logHandler: () => undefined });
  const answer = await registered.handler(request(), context());
  expect(answer).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD' } });
  expect(answer).toEqual(await defineFunctions().http.find((f) => f.name === 'status')!.handler(request(), context()));
  http.mockRestore();
});

test('the bundle (dist/functions.js) registers every function at load and requires dist/app.js on the first invocation', () => {
  // As the worker loads it: @azure/functions-core supplied by the host, handlers called as registered.
  const script = `
    const Module = require('node:module');
    const handlers = {};
    let model = null;
    const core = { setProgrammingModel: (m) => void (model = m), getProgrammingModel: () => model, registerFunction: (m, h) => { handlers[m.name] = h; return { dispose() {} }; }, registerHook: () => ({ dispose() {} }), log: () => undefined };
    const load = Module._load;
    Module._load = function (request, ...rest) { return request === '@azure/functions-core' ? core : load.call(this, request, ...rest); };
    const before = new Set(Object.keys(require.cache));
    require(${JSON.stringify(join(__dirname, '..', '..', 'dist', 'functions.js'))});
    const loaded = () => Object.keys(require.cache).filter((f) => !before.has(f)).map((f) => f.split(/[\\\\/]/).pop()).sort();
    const atLoad = loaded();
    handlers.status({ method: 'POST', query: new URLSearchParams() }, { error() {}, log() {} }).then((answer) => {
      console.log(JSON.stringify({ names: Object.keys(handlers).sort(), atLoad, after: loaded(), status: answer.status }));
    });`;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const result = JSON.parse(out.trim().split('\n').pop()!) as { names: string[]; atLoad: string[]; after: string[]; status: number };
  expect(result.names).toEqual(defineFunctions().http.map((f) => f.name).concat(defineFunctions().timers.map((f) => f.name)).sort());
  expect(result.atLoad).toEqual(['functions.js']);
  expect(result.after).toEqual(['app.js', 'functions.js']);
  expect(result.status).toBe(405);
});
