// Benchmark entry: `npm run bench -- <name> [args...]` runs bench/<name>.bench.ts in this process.
// Without a name, or with an unknown one, it lists the benchmarks there are.

import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

export interface Bench {
  /** One line for the listing. */
  readonly description: string;
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
  await mod.default.run(args);
}
