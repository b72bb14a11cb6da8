// saxes is the default tokenizer and sax the user's choice behind the same seam: on every file of
// the shared corpus (invalid/ included) both must give the same results, model and findings alike.

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
}
