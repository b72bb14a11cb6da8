// Goal: tier 3's pure checks produce each discrepancy type from a crafted statement and nothing
// else: matching by AcctSvcrRef, EndToEndId, UETR and amount + day, in that order; a double
// booking; a differing amount; entries missing on either side; a reference the bank reuses on
// every entry (the Danish sample does) does not pair wrong entries; the chain checks (sequence
// gap, overlap, missing number, opening ≠ previous closing, statement that does not add up).
// Method: hand-built entries with the expected outcome written beside them; a property that every
// entry ends up matched or reported exactly once.

import test from 'ava';
import BigNumber from 'bignumber.js';
import fc from 'fast-check';
import type { BankEntry } from '../../../actors/account/model.ts';
import { checkContinuity } from '../../../actors/reconciliation/statement-continuity.ts';
import { matchStatement } from '../../../actors/reconciliation/statement-match.ts';

function entry(amount: string, direction: 'CRDT' | 'DBIT', refs: { asr?: string; e2e?: string; uetr?: string; day?: string } = {}): BankEntry {
  return {
    key: refs.asr ?? `k-${amount}-${direction}`,
    amount: new BigNumber(amount),
    direction,
    reversal: false,
    endToEndId: refs.e2e ?? null,
    uetr: refs.uetr ?? null,
    accountServicerReference: refs.asr ?? null,
    bookingDate: refs.day ?? '2026-11-30',
  };
}

test('each key in order, and every discrepancy type', (t) => {
  const uetr = '9a1c2b3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d';
  const recorded = [
    entry('100.00', 'CRDT', { asr: 'A1' }),
    entry('250.00', 'CRDT', { e2e: 'E2E-2' }),
    entry('75.50', 'DBIT', { uetr }),
    entry('10.00', 'CRDT'), // only amount and day in common with the statement's
    entry('99.99', 'CRDT', { asr: 'A5' }), // the statement says 90.99
    entry('42.00', 'DBIT', { asr: 'ONLY-IN-LEDGER' }),
  ];
  const statement = [
    entry('100.00', 'CRDT', { asr: 'A1', e2e: 'E2E-2' }), // AcctSvcrRef wins over the EndToEndId
    entry('250.00', 'CRDT', { asr: 'BANK-2', e2e: 'E2E-2' }),
    entry('75.50', 'DBIT', { uetr: uetr.toUpperCase() }),
    entry('10.00', 'CRDT', { asr: 'BANK-4' }),
    entry('90.99', 'CRDT', { asr: 'A5' }),
    entry('5.00', 'CRDT', { asr: 'ONLY-ON-STATEMENT' }),
    entry('100.00', 'CRDT', { asr: 'A1', e2e: 'E2E-2' }), // booked twice
  ];
  const r = matchStatement(statement, recorded);
  t.deepEqual(r.matched.map((m) => [m.statement.amount.toFixed(2), m.method]), [
    ['100.00', 'ACCOUNT_SERVICER_REFERENCE'],
    ['250.00', 'END_TO_END_ID'],
    ['75.50', 'UETR'],
    ['10.00', 'AMOUNT_AND_DATE'],
  ]);
  const d = r.discrepancies.map((x) => x.type === 'MISSING_TXN' ? `${x.type}:${x.side}:${x.entry.amount.toFixed(2)}` : x.type === 'AMOUNT_MISMATCH' ? `${x.type}:${x.difference.toFixed(2)}` : `${x.type}:${x.entry.amount.toFixed(2)}`);
  t.deepEqual(d.sort(), ['AMOUNT_MISMATCH:-9.00', 'DUPLICATE_TXN:100.00', 'MISSING_TXN:bank:42.00', 'MISSING_TXN:ledger:5.00']);
});

test('a direction that differs is an amount mismatch of twice the amount', (t) => {
  const r = matchStatement([entry('10.00', 'DBIT', { asr: 'X' })], [entry('10.00', 'CRDT', { asr: 'X' })]);
  t.is(r.matched.length, 0);
  t.like(r.discrepancies[0], { type: 'AMOUNT_MISMATCH' });
  t.is((r.discrepancies[0] as { difference: BigNumber }).difference.toFixed(2), '-20.00');
});

test('a reference on every entry (the Danish way) is not an identity', (t) => {
  const recorded = [entry('1.00', 'CRDT', { asr: 'SAME' }), entry('2.00', 'CRDT', { asr: 'SAME' })];
  const statement = [entry('2.00', 'CRDT', { asr: 'SAME' }), entry('1.00', 'CRDT', { asr: 'SAME' })];
  const r = matchStatement(statement, recorded);
  t.deepEqual(r.discrepancies, []);
  t.deepEqual(r.matched.map((m) => [m.statement.amount.toFixed(2), m.recorded.amount.toFixed(2), m.method]), [
    ['2.00', '2.00', 'AMOUNT_AND_DATE'],
    ['1.00', '1.00', 'AMOUNT_AND_DATE'],
  ]);
});

test('amount + day is the last resort: another day does not match', (t) => {
  const r = matchStatement([entry('10.00', 'CRDT', { day: '2026-11-30T10:00:00+01:00' })], [entry('10.00', 'CRDT', { day: '2026-11-29' })]);
  t.is(r.matched.length, 0);
  t.deepEqual(r.discrepancies.map((x) => x.type === 'MISSING_TXN' && x.side), ['ledger', 'bank']);
});

test('property: every entry is matched or reported, once', (t) => {
  const arbEntry = fc.record({
    cents: fc.integer({ min: 1, max: 500 }),
    dir: fc.constantFrom<'CRDT' | 'DBIT'>('CRDT', 'DBIT'),
    asr: fc.option(fc.constantFrom('R1', 'R2', 'R3', 'R4'), { nil: undefined }),
    e2e: fc.option(fc.constantFrom('E1', 'E2'), { nil: undefined }),
  }).map((x) => entry(new BigNumber(x.cents).shiftedBy(-2).toFixed(2), x.dir, { ...(x.asr === undefined ? {} : { asr: x.asr }), ...(x.e2e === undefined ? {} : { e2e: x.e2e }) }));
  fc.assert(fc.property(fc.array(arbEntry, { maxLength: 12 }), fc.array(arbEntry, { maxLength: 12 }), (statement, recorded) => {
    const r = matchStatement(statement, recorded);
    const statementSide = new Map<BankEntry, number>();
    const recordedSide = new Map<BankEntry, number>();
    const bump = (m: Map<BankEntry, number>, e: BankEntry) => m.set(e, (m.get(e) ?? 0) + 1);
    for (const m of r.matched) {
      bump(statementSide, m.statement);
      bump(recordedSide, m.recorded);
      if (!m.statement.amount.isEqualTo(m.recorded.amount) || m.statement.direction !== m.recorded.direction) return false;
    }
    for (const x of r.discrepancies) {
      if (x.type === 'MISSING_TXN') bump(x.side === 'ledger' ? statementSide : recordedSide, x.entry);
      else if (x.type === 'DUPLICATE_TXN') bump(statementSide, x.entry);
      else {
        bump(statementSide, x.statement);
        bump(recordedSide, x.recorded);
      }
    }
    return statement.every((e) => statementSide.get(e) === 1) && recorded.every((e) => recordedSide.get(e) === 1);
  }), { numRuns: 2_000 });
  t.pass();
});

const link = (seq: string | null, opening: string, closing: string, booked: string) => ({
  sequenceNumber: seq, opening: new BigNumber(opening), closing: new BigNumber(closing), bookedSum: new BigNumber(booked),
});

test('the chain: sequence and balances', (t) => {
  const day1 = link('41', '1000.00', '1150.20', '150.20');
  t.deepEqual(checkContinuity(null, day1), []);
  t.deepEqual(checkContinuity(day1, link('42', '1150.20', '1100.20', '-50.00')), []);
  t.like(checkContinuity(day1, link('44', '1150.20', '1150.20', '0'))[0], { type: 'SEQUENCE_GAP', kind: 'gap', expected: '42', actual: '44' });
  t.like(checkContinuity(day1, link('41', '1150.20', '1150.20', '0'))[0], { type: 'SEQUENCE_GAP', kind: 'overlap', expected: '42', actual: '41' });
  t.like(checkContinuity(day1, link(null, '1150.20', '1150.20', '0'))[0], { type: 'SEQUENCE_GAP', kind: 'missing' });
  const opening = checkContinuity(day1, link('42', '1150.00', '1150.00', '0'));
  t.is(opening.length, 1);
  t.like(opening[0], { type: 'BALANCE_MISMATCH', kind: 'opening' });
  t.is((opening[0] as { difference: BigNumber }).difference.toFixed(2), '-0.20');
  const sum = checkContinuity(day1, link('42', '1150.20', '1200.00', '50.00'));
  t.is(sum.length, 1);
  t.like(sum[0], { type: 'BALANCE_MISMATCH', kind: 'arithmetic' });
  t.is((sum[0] as { expected: BigNumber }).expected.toFixed(2), '1200.20');
});
