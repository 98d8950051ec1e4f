import { channelLabel } from '../render/channelText';
import type { ChannelHealth } from '../status/operatorModel';
import { pluginText } from './format';

function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * One line per channel, printed after the plugin line (a monitoring system reads only the first line,
 * so these never reach its status or perfdata), e.g.
 * `channel webhook: FAILING since 2027-01-01 10:00 UTC (3 refused in a row) - last error: webhook answered 404 Not Found`.
 */
export function channelLine(h: ChannelHealth): string {
  const name = `channel ${channelLabel(h.channel)}`;
  if (h.lastAttemptAt === null) return `${name}: not used yet`;
  const parts: string[] = [];
  if (h.failingSince !== null) {
    const count = h.consecutiveFailures > 0 ? ` (${h.consecutiveFailures} refused in a row)` : '';
    parts.push(`${h.lastOutcome === 'retrying' ? 'retrying' : 'FAILING'} since ${when(h.failingSince)}${count}`);
    parts.push(`last delivered ${h.lastDeliveredAt === null ? 'never' : when(h.lastDeliveredAt)}`);
    if (h.lastError !== null) parts.push(`last error: ${h.lastError}`);
  } else {
    parts.push(`ok, last delivered ${h.lastDeliveredAt === null ? 'never' : when(h.lastDeliveredAt)}`);
  }
  return `${name}: ${parts.map(pluginText).join(' - ')}`;
}

export function channelLines(channels: readonly ChannelHealth[]): string[] {
  return channels.map(channelLine);
}
