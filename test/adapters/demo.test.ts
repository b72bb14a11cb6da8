// `deltran demo` end to end: participants, funding by camt.054, payments by pacs.008, a window
// closed and netted, settlement through the mock bank with its camt.054 confirmations back through
// ingestion, tokens moved, pacs.002 out, and the day's camt.053 reconciled. The seed's own example,
// so the figures are the known answers.

import test from 'ava';
import BigNumber from 'bignumber.js';
import { runDemo } from '../../adapters/cli/demo.ts';

test('the demo settles the seed example through the mock bank and reconciles the day', async (t) => {
  const lines: string[] = [];
  const r = await runDemo({ print: (l) => lines.push(l) });
  t.is(r.windowState, 'COMPLETED');
  t.deepEqual(
    r.positions.map((p) => [p.participant, p.net]).sort(),
    [['ALFAAEAD', '-450000.00'], ['BRAVGB2L', '600000.00'], ['CHRLUS33', '-250000.00'], ['DLTAINBB', '100000.00']],
  );
  t.is(r.instructions.length, 3);
  t.true(r.instructions.every((i) => i.status === 'CONFIRMED'));
  t.is(r.instructions.reduce((sum, i) => sum.plus(i.amount), new BigNumber(0)).toFixed(2), '700000.00', 'Σ instructions = M');
  t.is(r.efficiency, '0.7544');
  // 600,000.00 funded each; the net positions moved as tokens.
  t.deepEqual(r.tokens, { ALFAAEAD: '150000.00', BRAVGB2L: '1200000.00', CHRLUS33: '350000.00', DLTAINBB: '700000.00' });
  t.deepEqual(r.pacs002['ALFAAEAD'], ['ACCP', 'ACSC']);
  t.is(r.statement.status, 'Ok, reconciled');
  t.is(r.health, 'HEALTHY');
  t.true(lines.some((l) => l.includes('| USD')), 'the metrics table is printed');
});
