// Three tokenizers sit behind one seam: fast (deltran's own, the default), saxes (whose answers fast
// reproduces) and sax. On every file of the shared corpus (invalid/ included) all three must give
// the same results, model and findings alike. test/streams/iso20022/xml/fast-tokenizer.test.ts
// holds fast to saxes event by event, on chunked, malformed and generated inputs too.

import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readFile, type ReadResult } from '../../../streams/iso20022/reader.ts';
import { SAMPLES } from '../../helpers/shared.ts';

/** A comparable form: BigNumber values as strings, everything else as it is. */
function plain(results: readonly ReadResult[]): unknown {
  return JSON.parse(JSON.stringify(results));
}

const files = readdirSync(SAMPLES).flatMap((dir) => readdirSync(join(SAMPLES, dir)).map((f) => join(dir, f)));

test('the corpus has the files the tests expect', (t) => {
  t.true(files.length >= 113, `${files.length} files`);
});

for (const file of files) {
  test(`same results with saxes and sax: ${file}`, async (t) => {
    const [a, b] = await Promise.all([
      readFile(join(SAMPLES, file), { tokenizer: 'saxes' }),
      readFile(join(SAMPLES, file), { tokenizer: 'sax' }),
    ]);
    t.deepEqual(plain(b), plain(a));
  });

  test(`same results with saxes and fast: ${file}`, async (t) => {
    const [a, b] = await Promise.all([
      readFile(join(SAMPLES, file), { tokenizer: 'saxes' }),
      readFile(join(SAMPLES, file), { tokenizer: 'fast' }),
    ]);
    t.deepEqual(plain(b), plain(a));
  });
}
