import { renderDashboard } from '../src/status/dashboardPage';
import { dashboardHistory, NOW, operatorDocument, THRESHOLDS } from '../test/support/dashboardFixtures';

/**
 * The dashboard's render function alone, for 50, 500 and 5,000 history rows (one check every 6 h,
 * with their alerts). Each figure is printed beside a floor measured in the same run: serialising the
 * same status document and rows as JSON (what /api/status and /api/history do with them), as a ratio.
 * Run: npx esbuild bench/dashboardRender.bench.ts --bundle --platform=node --outfile=/tmp/dash.bench.js && node /tmp/dash.bench.js
 */

function perCall(fn: () => unknown, minMs = 400): number {
  for (let i = 0; i < 20; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs * 1e6) {
    fn();
    n += 1;
    elapsed = Number(process.hrtime.bigint() - start);
  }
  return elapsed / n / 1000; // µs
}

const doc = operatorDocument();
console.log('rows   render µs   floor µs (JSON of the same data)   ratio   page bytes   renders/s');
for (const rows of [50, 500, 5_000]) {
  const history = dashboardHistory(rows);
  const input = { doc, history, thresholds: THRESHOLDS, cloud: 'global' as const, generatedAt: NOW, timeZone: 'Europe/Berlin', key: 'k3y' };
  const page = renderDashboard(input);
  const render = perCall(() => renderDashboard(input));
  const floor = perCall(() => JSON.stringify({ doc, entries: history }));
  console.log(`${String(rows).padStart(5)}   ${render.toFixed(0).padStart(9)}   ${floor.toFixed(0).padStart(32)}   ${(render / floor).toFixed(2).padStart(5)}×   ${String(Buffer.byteLength(page)).padStart(10)}   ${(1e6 / render).toFixed(0).padStart(9)}`);
}
