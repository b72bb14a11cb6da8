// Goal: the account's side of the three tiers, as pure decide/evolve: the seed's walkthrough (1,000,000.00
// AED on both sides, an unexpected 50,000.00 credit → Critical, breaker tripped); a level change is
// journaled inside the booking event and nothing else is; Significant suspends payouts, the open
// breaker refuses debits and reservations but takes credits; the breaker resets only back within
// Minor; tier 2 journals only a change; tier 3 sets the bank to the closing balance and reports the
// chain's gaps and mismatches; old events without the new fields still decode.

import test from 'ava';
import type { AccountCommand } from '../../actors/account/commands.ts';
import { decideAccount } from '../../actors/account/decide.ts';
import { accountEventCodec, type AccountEvent } from '../../actors/account/events.ts';
import { evolveAccount } from '../../actors/account/evolve.ts';
import { initialAccount, type AccountState, type BankEntry, type OpenAccount } from '../../actors/account/model.ts';
import { d, only, rejectionOf } from './helpers.ts';

const REF = { scheme: 'IBAN' as const, id: 'AE070331234567890123456', currency: 'AED' };

function step(state: AccountState, command: AccountCommand): { state: AccountState; events: readonly AccountEvent[] } {
  const decision = decideAccount(state, command);
  if ('rejection' in decision) throw new Error(`${decision.rejection.code}: ${decision.rejection.message}`);
  return { state: decision.events.reduce(evolveAccount, state), events: decision.events };
}

function opened(ledger = '1000000.00', bank = '1000000.00'): OpenAccount {
  const s = step(initialAccount(), { type: 'OpenAccount', messageId: 'open', ref: REF, accountType: 'client_funds', ledger: d(ledger), bank: d(bank) }).state;
  return s as OpenAccount;
}

let n = 0;
const entry = (amount: string, direction: 'CRDT' | 'DBIT' = 'CRDT'): BankEntry => ({
  key: `REF-${++n}`, amount: d(amount), direction, reversal: false, endToEndId: null, uetr: null, accountServicerReference: `REF-${n}`, bookingDate: '2026-12-01',
});
const booked = (amount: string, direction: 'CRDT' | 'DBIT' = 'CRDT'): AccountCommand => ({
  type: 'RecordBankEntry', messageId: `m${++n}`, currency: 'AED', status: 'BOOK', entry: entry(amount, direction),
});

test("the seed's walkthrough: an unexpected 50,000.00 credit is Critical and trips the breaker", (t) => {
  const { state, events } = step(opened(), booked('50000.00'));
  const event = events[0]!;
  t.is(event.type, 'BankEntryBooked');
  const check = (event as { check: { level: string; trips: boolean; ledger: { toFixed(n: number): string }; bank: { toFixed(n: number): string }; difference: { toFixed(n: number): string }; previous: string; tier: number } }).check;
  t.like(check, { tier: 1, level: 'Critical', trips: true, previous: 'UNCHECKED' });
  t.deepEqual([check.ledger.toFixed(2), check.bank.toFixed(2), check.difference.toFixed(2)], ['1000000.00', '1050000.00', '-50000.00']);
  const s = state as OpenAccount;
  t.is(s.reconciliation, 'CRITICAL');
  t.true(s.breaker.open);
  t.is(s.breaker.reason, 'tier 1 reconciliation Critical: ledger 1000000.00 vs bank 1050000.00 (difference -50000.00)');
  t.is(s.bank.toFixed(2), '1050000.00');
  t.is(s.ledger.toFixed(2), '1000000.00');
});

test('only a level change is journaled with the booking', (t) => {
  // 100000.00 both sides; +10.00 is Ok (0.01%) from UNCHECKED: a check; another +0.00... stays Ok: none.
  let s: AccountState = opened('100000.00', '100000.00');
  const first = step(s, booked('0.01'));
  t.like((first.events[0] as { check: unknown }).check, { level: 'Ok', trips: false, previous: 'UNCHECKED' });
  s = first.state;
  const second = step(s, booked('0.00'));
  t.is((second.events[0] as { check: unknown }).check, null, 'still Ok: nothing extra in the journal');
  // +20.00 more: 20.01 of 100020.01 → Minor.
  const third = step(second.state, booked('20.00'));
  t.like((third.events[0] as { check: unknown }).check, { level: 'Minor', previous: 'OK' });
  t.is((third.state as OpenAccount).reconciliation, 'MINOR');
});

test('Significant suspends payouts; the breaker refuses debits, takes credits, resets only within Minor', (t) => {
  // 100000 vs bank 100100 after a credit: Significant (0.0999%).
  let s = step(opened('100000.00', '100000.00'), booked('100.00')).state as OpenAccount;
  t.is(s.reconciliation, 'SIGNIFICANT');
  t.false(s.breaker.open);
  t.is(rejectionOf(decideAccount(s, { type: 'Reserve', messageId: 'r1', currency: 'AED', amount: d('1.00'), reservationId: 'R1' })).code, 'PAYOUTS_SUSPENDED');
  t.is(rejectionOf(decideAccount(s, { type: 'DebitLedger', messageId: 'd1', currency: 'AED', amount: d('1.00'), reservationId: null, reference: 'x', backingHeadroom: null })).code, 'PAYOUTS_SUSPENDED');
  // A big debit at the bank: Critical, tripped.
  s = step(s, booked('5000.00', 'DBIT')).state as OpenAccount;
  t.is(s.reconciliation, 'CRITICAL');
  t.true(s.breaker.open);
  t.is(rejectionOf(decideAccount(s, { type: 'DebitLedger', messageId: 'd2', currency: 'AED', amount: d('1.00'), reservationId: null, reference: 'x', backingHeadroom: null })).code, 'BREAKER_OPEN');
  t.is(rejectionOf(decideAccount(s, { type: 'ResetBreaker', messageId: 'reset1', reason: 'looked at it' })).code, 'RECONCILIATION_OUT_OF_RANGE');
  // Incoming money still books: the breaker stops money leaving, not the books catching up.
  t.is((step(s, booked('10.00')).state as OpenAccount).bank.minus(s.bank).toFixed(2), '10.00');
  t.is(only(decideAccount(s, { type: 'CreditLedger', messageId: 'c0', currency: 'AED', amount: d('1.00'), reference: 'in' })).type, 'LedgerCredited');
});

test('the breaker resets once the books are back within Minor, and the level follows', (t) => {
  let s = step(opened('100000.00', '100000.00'), booked('5000.00')).state as OpenAccount;
  t.true(s.breaker.open);
  // Incoming money is never stopped: the ledger catches up with a credit.
  s = step(s, { type: 'CreditLedger', messageId: 'c1', currency: 'AED', amount: d('5000.00'), reference: 'late pay-in' }).state as OpenAccount;
  const reset = step(s, { type: 'ResetBreaker', messageId: 'reset2', reason: 'pay-in identified' });
  s = reset.state as OpenAccount;
  t.false(s.breaker.open);
  t.is(s.reconciliation, 'OK');
  t.like((reset.events[0] as { check: unknown }).check, { level: 'Ok', previous: 'CRITICAL', trips: false });
});

test('tier 2: the bank’s live figure journals only a change of level', (t) => {
  const s = opened('100000.00', '100000.00');
  const same = decideAccount(step(s, booked('0.00')).state, { type: 'ObserveBankBalance', messageId: 'o1', currency: 'AED', balance: d('100000.00'), asOf: '2026-12-01T10:00:00Z' });
  t.deepEqual('events' in same ? same.events : null, []);
  const drift = step(s, { type: 'ObserveBankBalance', messageId: 'o2', currency: 'AED', balance: d('99000.00'), asOf: '2026-12-01T10:15:00Z' });
  t.like(drift.events[0], { type: 'BankBalanceObserved', check: { tier: 2, level: 'Critical', trips: true } });
  t.true((drift.state as OpenAccount).breaker.open);
  t.is((drift.state as OpenAccount).bank.toFixed(2), '100000.00', 'tier 2 compares; it does not rewrite the bank figure');
});

test('tier 3: the statement sets the bank to its closing balance and checks the chain', (t) => {
  const statement = (id: string, date: string, seq: string | null, opening: string, closing: string, bookedSum: string): AccountCommand => ({
    type: 'ReconcileStatement', messageId: `stmt:${id}`, currency: 'AED', statementId: id, date, sequence: seq,
    opening: d(opening), closing: d(closing), bookedSum: d(bookedSum), matched: 2, discrepancies: [],
  });
  let s: AccountState = opened('1000.00', '1000.00');
  const day1 = step(s, statement('S1', '2026-11-30', '41', '1000.00', '1000.00', '0'));
  t.like(day1.events[0], { type: 'StatementReconciled', discrepancies: [], check: { tier: 3, level: 'Ok' } });
  s = day1.state;
  // Day 2: number 43 (42 missing), opening 999.00 ≠ 1000.00, and 999 + 10 ≠ 1010.
  const day2 = step(s, statement('S2', '2026-12-01', '43', '999.00', '1010.00', '10.00'));
  const ev = day2.events[0] as unknown as { discrepancies: readonly { type: string; detail: string }[] };
  t.deepEqual(ev.discrepancies.map((x) => `${x.type}:${x.detail}`), [
    'SEQUENCE_GAP:gap', 'BALANCE_MISMATCH:opening differs from the previous closing', 'BALANCE_MISMATCH:opening + entries differ from the closing',
  ]);
  const after = day2.state as OpenAccount;
  t.is(after.bank.toFixed(2), '1010.00');
  t.like(after.statement, { id: 'S2', date: '2026-12-01', sequence: '43' });
  t.is(after.reconciliation, 'CRITICAL', '1000.00 vs 1010.00 is 0.99%');
  t.is(rejectionOf(decideAccount(after, statement('S0', '2026-11-29', '40', '0', '0', '0'))).code, 'STATEMENT_OUT_OF_ORDER');
});

test('events written before these fields existed still decode', (t) => {
  const old = { type: 'BankEntryBooked', messageId: 'm', entry: { key: 'k', amount: '1', direction: 'CRDT', reversal: false, endToEndId: null, uetr: null, accountServicerReference: null, bookingDate: null } };
  t.like(accountEventCodec.decode(old), { type: 'BankEntryBooked', check: null });
  t.like(accountEventCodec.decode({ type: 'BreakerReset', messageId: 'r', reason: 'x' }), { check: null });
});

test('a camt.054 arriving after the camt.053 of its day is recorded without moving the bank figure twice', (t) => {
  let s: AccountState = opened('1000.00', '1000.00');
  s = step(s, {
    type: 'ReconcileStatement', messageId: 'stmt:S1', currency: 'AED', statementId: 'S1', date: '2026-11-30', sequence: '1',
    opening: d('1000.00'), closing: d('1250.00'), bookedSum: d('250.00'), matched: 0, discrepancies: [],
  }).state;
  t.is((s as OpenAccount).bank.toFixed(2), '1250.00');
  // The notification of a booking the statement already holds (booked 2026-11-30).
  const late = step(s, { type: 'RecordBankEntry', messageId: 'late', currency: 'AED', status: 'BOOK', entry: { ...entry('250.00'), bookingDate: '2026-11-30T16:00:00+04:00' } });
  t.like(late.events[0], { type: 'BankEntryBooked', bankMoved: false });
  t.is((late.state as OpenAccount).bank.toFixed(2), '1250.00');
  // The next day's booking moves it as usual; so does one without a booking date.
  const next = step(late.state, { type: 'RecordBankEntry', messageId: 'next', currency: 'AED', status: 'BOOK', entry: { ...entry('10.00'), bookingDate: '2026-12-01' } });
  t.like(next.events[0], { bankMoved: true });
  t.is((next.state as OpenAccount).bank.toFixed(2), '1260.00');
  const undated = step(next.state, { type: 'RecordBankEntry', messageId: 'undated', currency: 'AED', status: 'BOOK', entry: { ...entry('1.00'), bookingDate: null } });
  t.is((undated.state as OpenAccount).bank.toFixed(2), '1261.00');
});
