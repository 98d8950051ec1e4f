import type { CertificateStatus } from '../domain/status';
import { escapeHtml } from '../notify/emailMessage';

/** A flat status badge for wikis and dashboards: "APNs | 45 days", coloured by status. */

export const STATUS_COLORS: Record<CertificateStatus, string> = {
  ok: '#0e700e',
  warning: '#8a4b00',
  critical: '#a4262c',
  expired: '#750b1c',
  not_configured: '#5c5c5c',
  unknown: '#5c5c5c',
};

export function badgeText(status: CertificateStatus | null, days: number | null, stale: boolean): string {
  if (status === null) return 'no check yet';
  const text =
    status === 'unknown' ? 'unknown' : status === 'not_configured' ? 'not configured' : status === 'expired' ? 'expired' : days === null ? status : `${days} day${days === 1 ? '' : 's'}`;
  return stale ? `${text} (stale)` : text;
}

function width(text: string): number {
  // Verdana 11px averages about 6.5 px a character; enough for a badge.
  return Math.round(text.length * 6.5) + 12;
}

export function renderBadge(status: CertificateStatus | null, days: number | null, stale: boolean, label = 'APNs'): string {
  const value = badgeText(status, days, stale);
  const color = status === null || stale ? '#5c5c5c' : STATUS_COLORS[status];
  const lw = width(label);
  const vw = width(value);
  const total = lw + vw;
  const title = escapeHtml(`${label === 'APNs' ? 'APNs certificate' : `${label} tokens`}: ${value}`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="20" role="img" aria-label="${title}">
<title>${title}</title>
<rect width="${lw}" height="20" fill="#555"/>
<rect x="${lw}" width="${vw}" height="20" fill="${color}"/>
<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="14">${escapeHtml(label)}</text>
<text x="${lw + vw / 2}" y="14">${escapeHtml(value)}</text>
</g>
</svg>
`;
}
