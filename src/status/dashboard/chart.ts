import { esc, plural } from './format';

/**
 * The days-remaining chart, drawn on the server as SVG (no script, no library). The y range comes
 * from the thresholds and what is shown, never from a freshly renewed certificate's 365 days: a
 * value above the range runs along the top edge with its figure written there, so the thresholds
 * stay apart and readable.
 */

export interface ChartPoint {
  t: number;
  days: number;
}

export interface ChartInput {
  /** Oldest first. */
  points: readonly ChartPoint[];
  thresholds: readonly number[];
  /** Instants of known renewals (history's renewal records and `renewed` alerts). */
  renewals: readonly number[];
}

export const CHART = { width: 640, height: 300, left: 52, right: 16, top: 30, bottom: 40 } as const;
/** Threshold labels closer than this (in chart units) to one already drawn would overlap: their lines stay. */
const LABEL_GAP = 24;

function niceCeil(v: number): number {
  const step = v <= 20 ? 5 : v <= 100 ? 10 : 50;
  return Math.max(step, Math.ceil(v / step) * step);
}

/** The y range: at least the largest threshold with headroom, at most one and a half times it. */
export function yRange(points: readonly ChartPoint[], thresholds: readonly number[]): { top: number; bottom: number } {
  const maxT = thresholds.length === 0 ? 30 : Math.max(...thresholds);
  let hi = -Infinity;
  let lo = Infinity;
  for (const p of points) {
    if (p.days > hi) hi = p.days;
    if (p.days < lo) lo = p.days;
  }
  const top = niceCeil(Math.min(Math.max(hi, maxT * 1.1), maxT * 1.5));
  // Below zero only while an expired certificate is shown, and no further than its 30 days of grace.
  const bottom = lo < 0 ? -niceCeil(Math.min(-lo, 30)) : 0;
  return { top, bottom };
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Renewals: the instants given, and any rise of more than a day between two checks (a new certificate), each once. */
function renewalMarks(points: readonly ChartPoint[], given: readonly number[], t0: number, t1: number): number[] {
  // Two marks closer than 1% of the window (or six hours) are one renewal seen twice.
  const near = (t1 - t0) / 100 + 6 * 3_600_000;
  const marks: number[] = [];
  const add = (t: number) => {
    if (t >= t0 && t <= t1 && !marks.some((m) => Math.abs(m - t) <= near)) marks.push(t);
  };
  for (const t of given) add(t);
  for (let i = 1; i < points.length; i++) if (points[i]!.days - points[i - 1]!.days > 1) add(points[i]!.t);
  return marks.sort((a, b) => a - b);
}

export function renderChart(input: ChartInput): string {
  const { width: W, height: H, left: L, right: R, top: T, bottom: B } = CHART;
  const points = input.points;
  const thresholds = [...new Set(input.thresholds)].sort((a, b) => a - b);
  const { top, bottom } = yRange(points, thresholds);
  const t0 = points[0]?.t ?? 0;
  const t1 = points[points.length - 1]?.t ?? 1;
  const plotW = W - L - R;
  const x = (t: number) => L + (t1 === t0 ? plotW / 2 : ((t - t0) / (t1 - t0)) * plotW);
  const y = (d: number) => T + ((top - Math.min(top, Math.max(bottom, d))) / (top - bottom)) * (H - T - B);

  const parts: string[] = [];
  const labelled: number[] = [y(0)];
  for (const t of thresholds) {
    if (t > top || t < bottom) continue;
    const ty = y(t);
    parts.push(`<line class="threshold" x1="${L}" x2="${W - R}" y1="${f(ty)}" y2="${f(ty)}"/>`);
    if (labelled.every((l) => Math.abs(l - ty) >= LABEL_GAP)) {
      labelled.push(ty);
      parts.push(`<text class="tick" x="${L - 8}" y="${f(ty + 5)}" text-anchor="end">${t}</text>`);
    }
  }
  parts.push(`<line class="expiry" x1="${L}" x2="${W - R}" y1="${f(y(0))}" y2="${f(y(0))}"/><text class="tick" x="${L - 8}" y="${f(y(0) + 5)}" text-anchor="end">0</text>`);
  if (Math.abs(y(top) - y(0)) >= LABEL_GAP && labelled.every((l) => Math.abs(l - y(top)) >= LABEL_GAP)) {
    parts.push(`<text class="tick" x="${L - 8}" y="${f(y(top) + 5)}" text-anchor="end">${top}</text>`);
  }

  const marks = points.length < 2 ? [] : renewalMarks(points, input.renewals, t0, t1);
  for (const m of marks) {
    const mx = f(x(m));
    // The label sits at the top, on the side away from the line's right (where the renewed series runs).
    const right = x(m) > W / 2;
    parts.push(`<line class="renewal" data-testid="renewal" x1="${mx}" x2="${mx}" y1="${T}" y2="${H - B}"/><text class="tick renewal-label" x="${mx}" y="${T + 22}" text-anchor="${right ? 'end' : 'start'}" dx="${right ? -6 : 6}">renewed</text>`);
  }

  if (points.length > 0) {
    const coords: string[] = new Array<string>(points.length);
    for (let i = 0; i < points.length; i++) coords[i] = `${f(x(points[i]!.t))},${f(y(points[i]!.days))}`;
    parts.push(`<polyline class="series" data-testid="series" data-points="${points.length}" points="${coords.join(' ')}"/>`);
    // Each run of checks above the range gets its highest figure written along the top edge.
    let runMax: number | null = null;
    let runAt = 0;
    const flush = () => {
      if (runMax === null) return;
      const rx = x(runAt);
      parts.push(`<text class="tick clipped" data-testid="clipped" x="${f(rx)}" y="${T - 12}" text-anchor="${rx > W / 2 ? 'end' : 'start'}">↑ ${runMax}</text>`);
      runMax = null;
    };
    for (const p of points) {
      if (p.days > top) {
        if (runMax === null) runAt = p.t;
        runMax = Math.max(runMax ?? p.days, p.days);
      } else flush();
    }
    flush();
    if (points.length === 1) parts.push(`<circle class="dot" cx="${f(x(t0))}" cy="${f(y(points[0]!.days))}" r="5"/>`);
    parts.push(`<text class="tick" x="${L}" y="${H - 12}">${isoDay(t0)}</text>`);
    if (t1 !== t0) parts.push(`<text class="tick" x="${W - R}" y="${H - 12}" text-anchor="end">${isoDay(t1)}</text>`);
  }

  const first = points[0];
  const last = points[points.length - 1];
  const above = points.some((p) => p.days > top);
  const desc =
    first === undefined || last === undefined
      ? 'No check has recorded the days remaining yet.'
      : `${plural(points.length, 'check')} from ${isoDay(t0)} to ${isoDay(t1)}; days remaining went from ${first.days} to ${last.days}.${above ? ` The axis stops at ${top} days: higher values run along the top edge, their figure written there.` : ''} Dashed lines mark the alert thresholds (${thresholds.join(', ')} days), the solid red line expiry${marks.length === 0 ? '' : `, vertical green lines ${plural(marks.length, 'renewal')}`}.`;
  return `<svg class="chart" data-testid="chart" data-top="${top}" data-bottom="${bottom}" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc">
<title id="chart-title">Days remaining before the push certificate expires</title>
<desc id="chart-desc">${esc(desc)}</desc>
${parts.join('\n')}
</svg>`;
}
