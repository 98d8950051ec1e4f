import { shortenView, type AlertView, type Tone } from './alertView';

/**
 * The Adaptive Card (1.5) a Teams Workflows webhook posts. Workflows take Adaptive Cards only
 * (Office 365 connectors and MessageCards are retired) and at most 28 KB.
 */

export const TEAMS_MAX_BYTES = 28 * 1024;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const CONTAINER_STYLE: Record<Tone, string> = { attention: 'attention', warning: 'warning', good: 'good', accent: 'emphasis' };
const TEXT_COLOR: Record<Tone, string> = { attention: 'Attention', warning: 'Warning', good: 'Good', accent: 'Accent' };

/**
 * Text from Graph is data, not markup. Adaptive Card text renders a small Markdown subset (bold,
 * italic, lists, links) and `{{DATE(…)}}` functions: exactly those are escaped, so nothing else
 * shows stray backslashes.
 */
export function escapeCardText(text: string): string {
  return text
    .replace(/[\\*_[\]]/g, (c) => `\\${c}`)
    .replace(/\{\{/g, '{\\{')
    .replace(/^(\s*)([-+]|\d+\.)\s/gm, '$1\\$2 ');
}

export function buildTeamsCard(view: AlertView): { [key: string]: Json } {
  const body: Json[] = [
    {
      type: 'Container',
      style: CONTAINER_STYLE[view.tone],
      bleed: true,
      items: [{ type: 'TextBlock', text: escapeCardText(view.headline), size: 'Large', weight: 'Bolder', color: TEXT_COLOR[view.tone], wrap: true }],
    },
    { type: 'TextBlock', text: escapeCardText(view.summary), wrap: true },
  ];
  if (view.advice !== null) body.push({ type: 'TextBlock', text: escapeCardText(view.advice), wrap: true, weight: 'Bolder' });
  body.push({ type: 'FactSet', facts: view.facts.map((f) => ({ title: escapeCardText(f.title), value: escapeCardText(f.value) })) });
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    fallbackText: view.headline,
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
