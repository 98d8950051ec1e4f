import type { CertificateStatus, Severity } from '../../domain/status';
import { esc } from './format';
import type { Tone } from './palette';

/**
 * Status as words and a symbol as well as a colour (WCAG 1.4.1): a reader who cannot tell the
 * fills apart, or prints the page in grey, reads the same thing.
 */

export const STATUS_LABEL: Record<CertificateStatus, string> = {
  ok: 'OK',
  warning: 'Warning',
  critical: 'Critical',
  expired: 'Expired',
  not_configured: 'Not configured',
  unknown: 'Unknown',
};

export const STATUS_TONE: Record<CertificateStatus, Tone> = {
  ok: 'ok',
  warning: 'warning',
  critical: 'critical',
  expired: 'expired',
  not_configured: 'neutral',
  unknown: 'neutral',
};

export const SEVERITY_LABEL: Record<Severity, string> = { info: 'Info', warning: 'Warning', critical: 'Critical' };

const ICON: Record<Tone, string> = { ok: '✓', warning: '!', critical: '✕', expired: '✕', neutral: '?', info: 'i' };

/** Worst first: the order of cards after those with open incidents. */
export const STATUS_RANK: Record<CertificateStatus, number> = { expired: 0, critical: 1, unknown: 2, warning: 3, ok: 4, not_configured: 5 };

/** A small filled label: symbol (hidden from screen readers, the word says it) and word; the symbol is the tone's unless one is given. */
export function pill(tone: Tone, label: string, symbol: string = ICON[tone]): string {
  return `<span class="pill tone-${tone}"><span class="icon" aria-hidden="true">${symbol}</span> ${esc(label)}</span>`;
}

export function statusPill(status: CertificateStatus): string {
  return pill(STATUS_TONE[status], STATUS_LABEL[status]);
}

export function icon(tone: Tone): string {
  return `<span class="icon" aria-hidden="true">${ICON[tone]}</span>`;
}
