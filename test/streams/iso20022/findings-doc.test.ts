// The grading table in ARCHITECTURE.md is the one a reviewer reads: every finding code must be in
// it with the severity SEVERITY gives it, and the table must not name codes that do not exist.

import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEVERITY } from '../../../streams/iso20022/findings.ts';
import { REPO } from '../../helpers/shared.ts';

function documented(): Map<string, string> {
  const text = readFileSync(join(REPO, 'ARCHITECTURE.md'), 'utf8');
  const section = text.slice(text.indexOf('## Findings and their grading'));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || !/^[A-Z_, 0-9]+$/.test(cells[1] ?? '')) continue;
    for (const code of cells[1]!.split(',').map((c) => c.trim())) rows.set(code, cells[2]!);
  }
  return rows;
}

test('every finding code is in the ARCHITECTURE.md table, with its severity', (t) => {
  const rows = documented();
  for (const [code, severity] of Object.entries(SEVERITY)) t.is(rows.get(code), severity, code);
});

test('the table names no code that does not exist', (t) => {
  for (const code of documented().keys()) t.true(Object.hasOwn(SEVERITY, code), code);
});
