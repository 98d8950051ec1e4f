import { codeSpans, SEVERITY_WORD } from '../render/alertText';
import { shortenView, type AlertView, type Tone } from './alertView';

/**
 * The Adaptive Card (1.5) a Teams Workflows webhook posts. Workflows take Adaptive Cards only
 * (Office 365 connectors and MessageCards are retired) and at most 28 KB.
 *
 * Every text is a TextRun inside a RichTextBlock. A TextBlock or a FactSet reads its text as Markdown,
 * so text from Graph would have to be escaped, and Teams shows a Markdown escape as the backslash itself
 * (an alert id `vpp_token-…` came out as `vpp\_token-…`). A TextRun is never read as Markdown: text is
 * shown as it is, with no escapes.
 */

export const TEAMS_MAX_BYTES = 28 * 1024;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const CONTAINER_STYLE: Record<Tone, string> = { attention: 'attention', warning: 'warning', good: 'good', accent: 'emphasis' };
const TEXT_COLOR: Record<Tone, string> = { attention: 'Attention', warning: 'Warning', good: 'Good', accent: 'Accent' };

/**
 * The one thing a TextRun still interprets is `{{DATE(…)}}` / `{{TIME(…)}}`: a word joiner (invisible)
 * between the braces keeps a date function in Graph text from being evaluated.
 */
export function plainRunText(text: string): string {
  return text.replace(/\{\{/g, '{\u2060{');
}

type RunStyle = { [key: string]: Json };

function run(text: string, style: RunStyle = {}): Json {
  return { type: 'TextRun', text: plainRunText(text), ...style };
}

/** A text's runs: `code` spans in a fixed-width font, the rest as it is. */
function runs(text: string, style: RunStyle = {}): Json[] {
  return codeSpans(text).map((s) => run(s.text, s.code ? { ...style, fontType: 'Monospace' } : style));
}

function paragraph(inlines: Json[], extra: RunStyle = {}): Json {
  return { type: 'RichTextBlock', inlines, ...extra };
}

function column(width: string | number, items: Json[], align: 'Center' | 'Top' = 'Center'): Json {
  return { type: 'Column', width, verticalContentAlignment: align, items };
}

export function buildTeamsCard(view: AlertView): { [key: string]: Json } {
  const color = TEXT_COLOR[view.tone];
  const body: Json[] = [
    {
      type: 'Container',
      style: CONTAINER_STYLE[view.tone],
      bleed: true,
      items: [
        paragraph([run(view.title, { size: 'Large', weight: 'Bolder', color })]),
        paragraph([run(`${SEVERITY_WORD[view.severity]} · ${view.credential}`, { isSubtle: true })], { spacing: 'Small' }),
      ],
    },
  ];
  if (view.countdown !== null) {
    body.push({
      type: 'ColumnSet',
      columns: [
        column('auto', [paragraph([run(view.countdown.value, { size: 'ExtraLarge', weight: 'Bolder', color })])]),
        column('stretch', [paragraph([run(view.countdown.caption, { size: 'Medium' })])]),
      ],
    });
  }
  body.push(paragraph(runs(view.summary)));
  if (view.advice !== null) body.push(paragraph(runs(view.advice, { weight: 'Bolder' })));
  if (view.steps.length > 0) {
    body.push(paragraph([run('How to renew', { weight: 'Bolder', size: 'Medium' })]));
    view.steps.forEach((step, i) => body.push(paragraph([run(`${i + 1}. `, { weight: 'Bolder' }), ...runs(step)], { spacing: 'Small' })));
  }
  view.facts.forEach((f, i) => {
    // One row per fact, columns weighted 2:5 so titles line up across rows (a FactSet would read Markdown).
    body.push({
      type: 'ColumnSet',
      spacing: i === 0 ? 'Medium' : 'None',
      columns: [column(2, [paragraph([run(f.title, { weight: 'Bolder' })])], 'Top'), column(5, [paragraph([run(f.value)])], 'Top')],
    });
  });
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    fallbackText: view.title,
    msteams: { width: 'Full' },
    body,
    actions: view.links.map((l) => ({ type: 'Action.OpenUrl', title: l.title, url: l.url })),
  };
}

/** The message a Workflows "When a Teams webhook request is received" trigger expects. */
export function buildTeamsPayload(view: AlertView): { [key: string]: Json } {
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: buildTeamsCard(view) }],
  };
}

/** Shorter and shorter texts, until the card fits: the limit is the webhook's, not the alert's fault. */
const FITTING_TEXT_LENGTHS = [Infinity, 600, 250, 100];

/** The payload as sent, with texts shortened as far as needed to stay within TEAMS_MAX_BYTES; null if even that is too large. */
export function fitTeamsPayload(view: AlertView): string | null {
  for (const max of FITTING_TEXT_LENGTHS) {
    const body = JSON.stringify(buildTeamsPayload(max === Infinity ? view : shortenView(view, max)));
    if (Buffer.byteLength(body) <= TEAMS_MAX_BYTES) return body;
  }
  return null;
}
