// Memory figures for the benchmarks: a full GC first (V8's flag set at run time, so the bench runner
// needs no --expose-gc), then RSS and heap in MB.

import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

export interface Memory {
  readonly rss_mb: number;
  readonly heap_used_mb: number;
  readonly external_mb: number;
}

export function memory(): Memory {
  gc();
  gc();
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1048576);
  return { rss_mb: mb(m.rss), heap_used_mb: mb(m.heapUsed), external_mb: mb(m.external + m.arrayBuffers) };
}
