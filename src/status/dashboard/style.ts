import { DARK, LIGHT, ON_TONE, TONE_FILL, type Palette, type Tone } from './palette';

/**
 * The page's one stylesheet, generated from the palette. Inline (the page loads nothing), and
 * allowed by its hash in the Content-Security-Policy, so no other style can run.
 */

function vars(p: Palette): string {
  return `--bg:${p.bg};--surface:${p.surface};--fg:${p.fg};--muted:${p.muted};--line:${p.line};--link:${p.link};--series:${p.series};--threshold:${p.threshold};--expiry:${p.expiry};--renewal:${p.renewal};--notice-bg:${p.noticeBg};--notice-fg:${p.noticeFg}`;
}

const TONES = Object.keys(TONE_FILL) as Tone[];
const STATUS_EDGES: Array<[string, Tone]> = [
  ['ok', 'ok'],
  ['warning', 'warning'],
  ['critical', 'critical'],
  ['expired', 'expired'],
  ['unknown', 'neutral'],
  ['not_configured', 'neutral'],
];

export const STYLE = [
  `:root{color-scheme:light dark;${vars(LIGHT)}}`,
  `@media (prefers-color-scheme:dark){:root{${vars(DARK)}}}`,
  '*{box-sizing:border-box}',
  'html{-webkit-text-size-adjust:100%}',
  'body{margin:0;font:16px/1.5 "Segoe UI",system-ui,-apple-system,Roboto,Arial,sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:anywhere}',
  'main{max-width:64rem;margin:0 auto;padding:1rem}',
  '.eyebrow{margin:0 0 .5rem;color:var(--muted);font-size:.95rem}',
  '.muted{color:var(--muted)}',
  `.status{color:${ON_TONE};border-radius:.5rem;padding:1rem 1.25rem;margin-bottom:1rem}`,
  '.status h1{margin:0;font-size:clamp(2rem,8vw,3.5rem);line-height:1.1}',
  '.status .days{font-size:clamp(1.25rem,5vw,2rem);margin:.25rem 0}',
  '.status p{margin:.25rem 0}',
  ...TONES.map((t) => `.tone-${t}{background:${TONE_FILL[t]};color:${ON_TONE}}`),
  '.pill{display:inline-block;padding:0 .45rem;border-radius:.25rem;font-size:.875rem;font-weight:600;white-space:nowrap;margin:.1rem 0}',
  '.icon{display:inline-block;min-width:1em;text-align:center;font-weight:700}',
  'section{background:var(--surface);border:1px solid var(--line);border-radius:.5rem;padding:1rem 1.25rem;margin-bottom:1rem;min-width:0}',
  'h2{font-size:1.25rem;margin:0 0 .5rem}h3{font-size:1.05rem;margin:.1rem 0}',
  `.incidents{border-left:.4rem solid ${TONE_FILL.critical}}`,
  '.plain{list-style:none;padding:0;margin:0}.plain>li{margin:.5rem 0}.plain p{margin:.25rem 0}',
  '.cards{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,16rem),1fr));gap:.75rem}',
  `.card{border:1px solid var(--line);border-left:.4rem solid ${TONE_FILL.neutral};border-radius:.5rem;padding:.5rem .75rem;min-width:0}`,
  '.card p{margin:.25rem 0}.card .kind{margin:0;color:var(--muted);font-size:.875rem}.card .problem{margin-top:.35rem}',
  ...STATUS_EDGES.map(([s, t]) => `.edge-${s}{border-left-color:${TONE_FILL[t]}}`),
  ...TONES.map((t) => `.edge-tone-${t}{border-left-color:${TONE_FILL[t]}}`),
  '.notice{background:var(--notice-bg);color:var(--notice-fg);padding:.5rem .75rem;border-radius:.25rem}',
  `.stale{border-left:.4rem solid ${TONE_FILL.warning}}`,
  '.apple-id{font-size:1.35rem;font-weight:600}',
  'a{color:var(--link)}a:focus-visible,button:focus-visible,[tabindex]:focus-visible{outline:3px solid var(--link);outline-offset:2px}',
  '.links a{display:inline-block;margin:.25rem 1rem .25rem 0}',
  'dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15rem 1rem;margin:.25rem 0}dt{font-weight:600}dd{margin:0;min-width:0}',
  'code{overflow-wrap:anywhere;font-size:.9em}',
  '.chart{display:block;width:100%;height:auto}',
  '.chart .series{fill:none;stroke:var(--series);stroke-width:2.5;stroke-linejoin:round}.chart .dot{fill:var(--series)}',
  '.chart .threshold{stroke:var(--threshold);stroke-dasharray:6 4;stroke-width:1.25}.chart .expiry{stroke:var(--expiry);stroke-width:2}',
  '.chart .renewal{stroke:var(--renewal);stroke-width:2;stroke-dasharray:2 3}.chart .renewal-label{fill:var(--renewal)}',
  '.chart .tick{font-size:16px;fill:var(--muted)}.chart .tick.clipped{fill:var(--series);font-weight:600}.chart .tick.renewal-label{fill:var(--renewal);font-weight:600}',
  '.legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.5rem 0 0;padding:0;list-style:none;font-size:.875rem;color:var(--muted)}',
  '.swatch{display:inline-block;width:1.5rem;height:0;border-top:3px solid;vertical-align:middle;margin-right:.35rem}',
  '.sw-series{border-color:var(--series)}.sw-threshold{border-top:2px dashed var(--threshold)}.sw-expiry{border-color:var(--expiry)}.sw-renewal{border-top:3px dotted var(--renewal)}',
  '.timeline{list-style:none;padding:0;margin:0}.timeline li{border-left:3px solid var(--line);padding:.25rem 0 .5rem .75rem}',
  '.timeline p{margin:.25rem 0 0;color:var(--muted)}',
  `.count{display:inline-block;border:1px solid var(--line);border-radius:1rem;padding:0 .5rem;font-weight:700;font-size:.875rem}`,
  // Table cells hold times and figures that wrap at spaces; breaking anywhere would split a header word.
  'table{border-collapse:collapse;width:100%;overflow-wrap:normal}td,th{border-bottom:1px solid var(--line);padding:.2rem .75rem .2rem 0;text-align:left;vertical-align:top}',
  'caption{text-align:left;color:var(--muted);padding-bottom:.25rem}.num{text-align:right}',
  '.bar-cell{width:45%}.bar{display:block;width:100%;height:.8rem}.bar rect{fill:var(--series)}.bar-critical rect{fill:var(--expiry)}',
  '.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
  'details summary{cursor:pointer;margin:.5rem 0}',
  'button{font:inherit;padding:.4rem .9rem;border-radius:.35rem;border:1px solid var(--link);background:var(--link);color:var(--surface);cursor:pointer}button:disabled{opacity:.7;cursor:progress}',
  '.test-alert{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin-top:.75rem}',
  '.test-result ul{list-style:none;padding:0;margin:.5rem 0}.test-result li{margin:.25rem 0}',
  'footer{color:var(--muted);font-size:.875rem;margin:1rem 0}',
  '@media (max-width:30rem){main{padding:.5rem}section{padding:.75rem}dl{grid-template-columns:minmax(0,1fr)}dd{margin-bottom:.35rem}.chart .tick{font-size:26px}}',
].join('\n');
