/**
 * Bumped by every write this process makes to the monitor's records, so a per-process cache of what
 * views show knows when its copy is older than this process's own writes.
 */
let localWrites = 0;

export function noteLocalWrite(): void {
  localWrites++;
}

export function localWriteCount(): number {
  return localWrites;
}
