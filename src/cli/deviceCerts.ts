import { toCsv, toTable } from '../subjects/device_certificate/listFormat';
import { listDocument, loadList, parseWithinDays } from '../subjects/device_certificate/list';
import type { CommandContext } from './main';

/**
 * `apns-monitor device-certs [--within-days N] [--json|--csv]`: the stored at-risk list (no Graph call),
 * a table for people by default. Exit 0 listed, 2 bad option, 3 nothing to list (not watched, no scan).
 */
export async function deviceCertsCommand(ctx: CommandContext): Promise<number> {
  const csv = ctx.flags.get('--csv') === true;
  if (csv && ctx.json) {
    ctx.io.stderr('--json and --csv cannot be combined: choose one');
    return 2;
  }
  const raw = ctx.flags.get('--within-days');
  const rt = ctx.runtime();
  const within = parseWithinDays(raw === undefined ? null : raw === true ? '' : raw, rt.config.deviceCertPolicy.thresholdDays, '--within-days');
  if (!within.ok) {
    ctx.io.stderr(within.error);
    return 2;
  }
  const list = await loadList(rt, ctx.now(), within.withinDays);
  if (list.kind !== 'list') {
    ctx.io.stderr(list.error);
    return 3;
  }
  if (ctx.json) ctx.io.stdout(JSON.stringify(listDocument(list, within.withinDays), null, 2));
  else if (csv) ctx.io.stdout(toCsv(list.rows, { bom: false }).replace(/\r\n$/, ''));
  else {
    ctx.io.stdout(toTable(list.rows, within.withinDays).replace(/\n$/, ''));
    if (list.lastError !== null) ctx.io.stderr(`The last scan failed (${list.lastError}); this list is from the scan of ${list.scannedAt}.`);
  }
  return 0;
}
