// Optional profiles of one timed section of a benchmark: with DELTRAN_BENCH_PROFILE=<dir>, the
// section runs under the V8 CPU profiler (node:inspector) and `<dir>/<bench>-<section>.cpuprofile`
// is written; with DELTRAN_BENCH_HEAP_PROFILE=<dir>, under the sampling heap profiler, and
// `<dir>/<bench>-<section>.heapprofile` says which functions allocated how much (garbage
// included: what the young-generation GCs pay for). Open either in Chrome DevTools, or summarise
// it. Without the variables it costs nothing.

import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export async function profiled<T>(name: string, body: () => Promise<T>): Promise<T> {
  const dir = process.env['DELTRAN_BENCH_PROFILE'];
  const heapDir = process.env['DELTRAN_BENCH_HEAP_PROFILE'];
  if (!dir && !heapDir) return body();
  const session = new Session();
  session.connect();
  if (dir) {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  if (heapDir) {
    await session.post('HeapProfiler.enable');
    // Collected objects too: the question is what is allocated, not what stays.
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true,
    } as { samplingInterval: number });
  }
  try {
    return await body();
  } finally {
    if (dir) {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    }
    if (heapDir) {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      mkdirSync(heapDir, { recursive: true });
      writeFileSync(join(heapDir, `${name}.heapprofile`), JSON.stringify(profile));
    }
    session.disconnect();
  }
}
