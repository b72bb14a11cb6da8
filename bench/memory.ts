// Memory figures for the benchmarks: a full GC first (V8's flag set at run time, so the bench runner
// needs no --expose-gc), then RSS and heap in MB.
//
// RSS right after a burst of work overstates what the process needs: the old space is left
// fragmented (live objects between the dead ones of the burst, e.g. the nact actors of passivated
// accounts) and the young generation at its grown size, until V8's memory reducer compacts and
// shrinks them, which it does once the process has been quiet for a few seconds. `settled` waits
// for that, so both figures can be reported: the one right after, and the steady one.

import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (options?: object) => unknown;

export interface Memory {
  readonly rss_mb: number;
  readonly heap_used_mb: number;
  /** What V8 holds for its heap (used + free space in its pages). */
  readonly heap_total_mb: number;
  readonly external_mb: number;
}

export function memory(): Memory {
  gc();
  gc();
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1048576);
  return { rss_mb: mb(m.rss), heap_used_mb: mb(m.heapUsed), heap_total_mb: mb(m.heapTotal), external_mb: mb(m.external + m.arrayBuffers) };
}

/**
 * Memory once the process has been idle for `quietMs` (nothing of the bench running): V8's memory
 * reducer has had its turn (`quiet`: then a full GC, with the `last-resort` flavour where this
 * Node's V8 knows it). `compacted`: then one full GC that compacts every fragmented page
 * (`--compact-on-every-full-gc` for that GC only), i.e. what the live objects really take;
 * V8 does not promise to get there by itself, so the floor is judged on `quiet`.
 */
export async function settled(quietMs = 15_000): Promise<{ readonly quiet: Memory; readonly compacted: Memory }> {
  await new Promise((resolve) => setTimeout(resolve, quietMs));
  try {
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } catch {
    // Older V8: the plain full GC of memory() only.
  }
  const quiet = memory();
  v8.setFlagsFromString('--compact-on-every-full-gc');
  try {
    return { quiet, compacted: memory() };
  } finally {
    v8.setFlagsFromString('--no-compact-on-every-full-gc');
  }
}
