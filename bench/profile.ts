// Optional CPU profile of one timed section of a benchmark: with DELTRAN_BENCH_PROFILE=<dir>, the
// section runs under the V8 profiler (node:inspector) and `<dir>/<bench>-<section>.cpuprofile` is
// written (open it in Chrome DevTools, or summarise it). Without the variable it costs nothing.

import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export async function profiled<T>(name: string, body: () => Promise<T>): Promise<T> {
  const dir = process.env['DELTRAN_BENCH_PROFILE'];
  if (!dir) return body();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await body();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
