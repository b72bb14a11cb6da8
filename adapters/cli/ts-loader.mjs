// How deltran's TypeScript runs without a build step: a module `load` hook that strips the types
// of each `.ts` file with esbuild (the transform tsx uses, with this repository's tsconfig), and
// hands everything else to Node. Registered by ./register.mjs for `npm start`, the benchmarks and
// the reader thread. Not tsx's own hook because tsx always transforms with `keepNames`: every
// closure created at run time gets a `__name(fn, "…")` call, an Object.defineProperty that also
// turns the function into a dictionary-mode object; on the ingestion hot path that was ~5% of the
// CPU per message (bench/ingest, compiled against tsx-loaded). A per-file transform renames
// nothing, so names need no keeping. Tests keep running through tsx (`ava` with --import=tsx).

import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const tsconfig = JSON.parse(readFileSync(new URL('../../tsconfig.json', import.meta.url), 'utf8'));

const OPTIONS = {
  loader: 'ts',
  format: 'esm',
  target: `node${process.versions.node}`,
  sourcemap: 'inline',
  sourcesContent: false,
  keepNames: false,
  tsconfigRaw: { compilerOptions: tsconfig.compilerOptions },
};

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const { code } = await transform(await readFile(path, 'utf8'), { ...OPTIONS, sourcefile: path });
  return { format: 'module', source: code, shortCircuit: true };
}
