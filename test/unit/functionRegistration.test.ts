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
