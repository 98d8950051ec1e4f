/**
 * The dashboard's colours, light and dark, as data: the stylesheet is generated from them and a unit
 * test computes every text and graphic pair's WCAG contrast, so a changed colour cannot slip below AA.
 */

export interface Palette {
  bg: string;
  surface: string;
  fg: string;
  muted: string;
  line: string;
  link: string;
  /** The chart's series, threshold, expiry and renewal marks (graphics: 3:1 against the surface). */
  series: string;
  threshold: string;
  expiry: string;
  renewal: string;
  /** The stale notice and the incident banner's edge. */
  noticeBg: string;
  noticeFg: string;
}

/** Tones of the status block, the pills and the card edges; white text is drawn on each. */
export type Tone = 'ok' | 'warning' | 'critical' | 'expired' | 'neutral' | 'info';

export const LIGHT: Palette = {
  bg: '#f4f4f4',
  surface: '#ffffff',
  fg: '#1b1b1b',
  muted: '#505050',
  line: '#c8c8c8',
  link: '#0f548c',
  series: '#0f548c',
  threshold: '#8a4b00',
  expiry: '#a4262c',
  renewal: '#0e700e',
  noticeBg: '#fff4ce',
  noticeFg: '#1b1b1b',
};

export const DARK: Palette = {
  bg: '#121212',
  surface: '#1e1e1e',
  fg: '#ececec',
  muted: '#b4b4b4',
  line: '#444444',
  link: '#8cc4ff',
  series: '#8cc4ff',
  threshold: '#f2b45c',
  expiry: '#ff8f8f',
  renewal: '#7fd17f',
  noticeBg: '#3b3000',
  noticeFg: '#fff4ce',
};

/** The same fills in both schemes: each carries white text at 4.5:1 or more. */
export const TONE_FILL: Record<Tone, string> = {
  ok: '#0e700e',
  warning: '#8a4b00',
  critical: '#a4262c',
  expired: '#750b1c',
  neutral: '#5c5c5c',
  info: '#0f548c',
};

export const ON_TONE = '#ffffff';

function channel(v: number): number {
  const s = v / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2.x relative luminance of a #rrggbb colour. */
export function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (m === null) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [m[1]!, m[2]!, m[3]!].map((h) => channel(parseInt(h, 16))) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
