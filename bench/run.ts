// Benchmark entry: `npm run bench -- <name> [args...]` runs bench/<name>.bench.ts in this process.
// Without a name, or with an unknown one, it lists the benchmarks there are.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

export interface Bench {
  /** One line for the listing. */
  readonly description: string;
  /**
   * Node/V8 flags the benchmark must run with, as the service it measures is run (e.g. the young
   * generation size of bench/ingest). Without them in this process, it runs in a child that has them.
   */
  readonly nodeFlags?: readonly string[];
  run(args: readonly string[]): Promise<void> | void;
}

const dir = import.meta.dirname;
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();

const [name, ...args] = process.argv.slice(2);

if (name === undefined || !available.includes(name)) {
  if (name !== undefined) console.error(`unknown benchmark "${name}"`);
  console.error('usage: npm run bench -- <name> [args...]\navailable benchmarks:');
  for (const b of available) {
    const mod = (await import(pathToFileURL(join(dir, `${b}.bench.ts`)).href)) as { default: Bench };
    console.error(`  ${b.padEnd(12)} ${mod.default.description}`);
  }
  process.exitCode = name === undefined ? 0 : 2;
} else {
  const mod = (await import(pathToFileURL(join(dir, `${name}.bench.ts`)).href)) as { default: Bench };
  const missing = (mod.default.nodeFlags ?? []).filter((f) => !process.execArgv.includes(f));
  if (missing.length === 0) {
    await mod.default.run(args);
  } else {
    const child = spawn(process.execPath, [...process.execArgv, ...missing, ...process.argv.slice(1)], { stdio: 'inherit' });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    process.exitCode = code ?? (signal === null ? 1 : 128);
  }
}
