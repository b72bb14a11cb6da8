// Goal: every account command, accepted and refused, on real figures. Method: open an AED
// client_funds account with the seed walkthrough's 1,000,000.00 on both sides, then drive each
// command through decide and evolve and assert the balances, the event and the rejection code.

import test from 'ava';
import type BigNumber from 'bignumber.js';
import { decideAccount } from '../../actors/account/decide.ts';
import { evolveAccount } from '../../actors/account/evolve.ts';
import type { AccountCommand, RecordBankEntryCommand } from '../../actors/account/commands.ts';
import { available, initialAccount, ACCOUNT_LIMITS_DEFAULT, type AccountState, type BankEntry, type OpenAccount } from '../../actors/account/model.ts';
import { bankEntryCommand } from '../../actors/account/bank-entry.ts';
import { accountStateCodec } from '../../actors/account/codec.ts';
import type { Entry } from '../../streams/iso20022/model.ts';
import { d, only, rejectionOf, run } from './helpers.ts';

const REF = { scheme: 'IBAN', id: 'AE070331234567890123456', currency: 'AED' } as const;
const UETR = 'eb6305c9-1f7f-49de-aed0-16487c27b42d';

function opened(type: 'client_funds' | 'settlement' = 'client_funds', limits = ACCOUNT_LIMITS_DEFAULT): OpenAccount {
  const s = run(decideAccount, evolveAccount, initialAccount(limits), [
    { type: 'OpenAccount', messageId: 'open', ref: REF, accountType: type, ledger: d('1000000.00'), bank: d('1000000.00') },
  ]);
  if (s.status !== 'open') throw new Error('not open');
  return s;
}

function open(s: AccountState): OpenAccount {
  if (s.status !== 'open') throw new Error('not open');
  return s;
}

function entry(amount: string, over: Partial<BankEntry> = {}): BankEntry {
  return {
    key: 'ACSR-1', amount: d(amount), direction: 'CRDT', reversal: false,
    endToEndId: null, uetr: null, accountServicerReference: 'ACSR-1', bookingDate: '2024-05-01', ...over,
  };
}

function record(messageId: string, e: BankEntry, status = 'BOOK', currency = 'AED'): RecordBankEntryCommand {
  return { type: 'RecordBankEntry', messageId, currency, status, entry: e };
}

const step = (s: AccountState, c: AccountCommand): OpenAccount => open(run(decideAccount, evolveAccount, s, [c]));
const fixed = (v: BigNumber) => v.toFixed(2);

test('OpenAccount: balances as given, once; unknown currency and sub-unit balances refused', (t) => {
  const s = opened();
  t.is(s.type, 'client_funds');
  t.is(fixed(s.ledger), '1000000.00');
  t.is(fixed(s.bank), '1000000.00');
  t.is(fixed(available(s)), '1000000.00');
  t.is(s.reconciliation, 'UNCHECKED');
  t.false(s.breaker.open);
  const again = { type: 'OpenAccount', messageId: 'open-2', ref: REF, accountType: 'fee', ledger: d('0'), bank: d('0') } as const;
  t.is(rejectionOf(decideAccount(s, again)).code, 'ACCOUNT_ALREADY_OPEN');
  t.is(rejectionOf(decideAccount(s, { ...again, messageId: 'open' })).code, 'DUPLICATE');
  const fresh = initialAccount();
  t.is(rejectionOf(decideAccount(fresh, { ...again, ref: { ...REF, currency: 'XYZ' } })).code, 'CURRENCY_UNKNOWN');
  t.is(rejectionOf(decideAccount(fresh, { ...again, ledger: d('0.001') })).code, 'AMOUNT_PRECISION');
  t.is(fixed(open(run(decideAccount, evolveAccount, fresh, [{ ...again, bank: d('-25.50') }])).bank), '-25.50', 'an overdrawn bank balance is a fact');
  t.is(rejectionOf(decideAccount(fresh, record('m', entry('1')))).code, 'ACCOUNT_NOT_OPEN');
});

test('RecordBankEntry: the seed walkthrough, an unexpected credit moves only the bank balance', (t) => {
  const s = step(opened(), record('camt054-1', entry('50000.00')));
  t.is(fixed(s.ledger), '1000000.00');
  t.is(fixed(s.bank), '1050000.00');
  t.is(s.booked.creditCount, 1);
  t.is(fixed(s.booked.creditSum), '50000.00');
  t.is(s.recentBooked.length, 1);
  t.is(rejectionOf(decideAccount(s, record('camt054-1', entry('50000.00')))).code, 'DUPLICATE');
});

test('RecordBankEntry: sign only from direction, reversal kept, pending apart until booked', (t) => {
  const debit = step(opened(), record('m1', entry('200.00', { direction: 'DBIT', reversal: true })));
  t.is(fixed(debit.bank), '999800.00', 'a reversed DBIT still subtracts');
  t.true(debit.recentBooked[0]?.reversal);
  const pending = step(debit, record('m2', entry('75.25', { key: 'P-1' }), 'PDNG'));
  t.is(fixed(pending.bank), '999800.00', 'pending moves nothing');
  t.is(pending.pending.size, 1);
  const booked = step(pending, record('m3', entry('75.25', { key: 'P-1' })));
  t.is(booked.pending.size, 0, 'the booking clears its pending entry');
  t.is(fixed(booked.bank), '999875.25');
  t.is(rejectionOf(decideAccount(booked, record('m4', entry('1'), 'INFO'))).code, 'ENTRY_NOT_BOOKABLE');
  t.is(rejectionOf(decideAccount(booked, record('m5', entry('1'), 'BOOK', 'USD'))).code, 'CURRENCY_MISMATCH');
  t.is(rejectionOf(decideAccount(booked, record('m6', entry('1.005')))).code, 'AMOUNT_PRECISION');
});

test('RecordBankEntry: pending entries are bounded, the oldest dropped and counted', (t) => {
  let s = opened('client_funds', { ...ACCOUNT_LIMITS_DEFAULT, pendingEntriesMax: 2 });
  for (const k of ['A', 'B', 'C']) s = step(s, record(`p-${k}`, entry('1.00', { key: k }), 'PDNG'));
  t.deepEqual([...s.pending.keys()], ['B', 'C']);
  t.is(s.pendingDropped, 1);
});

test('ExpectPayIn then a booked credit: PayInMatched by UETR or EndToEndId credits bank and ledger', (t) => {
  const expect = {
    type: 'ExpectPayIn', messageId: 'exp-1', payInId: 'PI-1', participant: 'BANK-A', currency: 'AED',
    amount: d('2500.00'), endToEndId: 'E2E-1', uetr: UETR,
  } as const;
  const s = step(opened(), expect);
  t.is(s.expected.size, 1);
  t.is(rejectionOf(decideAccount(s, { ...expect, messageId: 'exp-2', payInId: 'PI-2', uetr: null })).code, 'REFERENCE_IN_USE');
  t.is(rejectionOf(decideAccount(s, { ...expect, messageId: 'exp-3', endToEndId: 'NOTPROVIDED', uetr: null })).code, 'REFERENCE_MISSING');
  const byUetr = only(decideAccount(s, record('n1', entry('2499.50', { uetr: UETR.toUpperCase(), endToEndId: 'other' }))));
  t.is(byUetr.type, 'PayInMatched');
  if (byUetr.type !== 'PayInMatched') return;
  t.is(byUetr.method, 'UETR');
  t.is(byUetr.payIn.participant, 'BANK-A');
  const after = open(evolveAccount(s, byUetr));
  t.is(fixed(after.bank), '1002499.50');
  t.is(fixed(after.ledger), '1002499.50', 'the ledger takes what arrived, not what was expected');
  t.is(after.expected.size, 0);
  const byE2e = only(decideAccount(s, record('n2', entry('2500.00', { endToEndId: 'E2E-1' }))));
  t.is(byE2e.type === 'PayInMatched' ? byE2e.method : byE2e.type, 'END_TO_END_ID');
  t.is(only(decideAccount(s, record('n3', entry('2500.00', { endToEndId: 'E2E-1', reversal: true })))).type, 'BankEntryBooked', 'a reversal is no pay-in');
  t.is(only(decideAccount(s, record('n4', entry('2500.00', { endToEndId: 'E2E-1', direction: 'DBIT' })))).type, 'BankEntryBooked');
  t.is(only(decideAccount(s, record('n5', entry('2500.00', { endToEndId: 'E2E-1' }), 'PDNG'))).type, 'BankEntryPending', 'pending never mints');
});

test('Reserve, Release and DebitLedger: available = ledger − reserved, reservations consumed whole', (t) => {
  const base = opened('settlement');
  const reserve = { type: 'Reserve', messageId: 'r1', reservationId: 'PAYOUT-1', currency: 'AED', amount: d('400000.00') } as const;
  const s = step(base, reserve);
  t.is(fixed(s.reserved), '400000.00');
  t.is(fixed(available(s)), '600000.00');
  t.is(rejectionOf(decideAccount(s, { ...reserve, messageId: 'r2', reservationId: 'PAYOUT-2', amount: d('600000.01') })).code, 'INSUFFICIENT_FUNDS');
  t.is(rejectionOf(decideAccount(s, { ...reserve, messageId: 'r3' })).code, 'RESERVATION_EXISTS');
  const debit = { type: 'DebitLedger', messageId: 'd1', currency: 'AED', amount: d('399999.99'), reservationId: 'PAYOUT-1', reference: 'pacs008-1', backingHeadroom: null } as const;
  t.is(rejectionOf(decideAccount(s, { ...debit, amount: d('400000.01') })).code, 'RESERVATION_EXCEEDED');
  const paid = step(s, debit);
  t.is(fixed(paid.ledger), '600000.01');
  t.is(fixed(paid.reserved), '0.00', 'the unused cent of the reservation is freed');
  t.is(paid.reservations.size, 0);
  const released = step(s, { type: 'Release', messageId: 'rel', reservationId: 'PAYOUT-1' });
  t.is(fixed(available(released)), '1000000.00');
  t.is(rejectionOf(decideAccount(released, { type: 'Release', messageId: 'rel-2', reservationId: 'PAYOUT-1' })).code, 'RESERVATION_UNKNOWN');
  t.is(rejectionOf(decideAccount(s, { ...debit, reservationId: null, amount: d('600000.01') })).code, 'INSUFFICIENT_FUNDS');
});

test('DebitLedger on client funds needs and respects the backing headroom', (t) => {
  const s = opened();
  const debit = { type: 'DebitLedger', messageId: 'd1', currency: 'AED', amount: d('100.00'), reservationId: null, reference: 'fee', backingHeadroom: null } as const;
  t.is(rejectionOf(decideAccount(s, debit)).code, 'BACKING_UNKNOWN');
  t.is(rejectionOf(decideAccount(s, { ...debit, backingHeadroom: d('99.99') })).code, 'BACKING_EXCEEDED');
  t.is(fixed(step(s, { ...debit, backingHeadroom: d('100') }).ledger), '999900.00');
});

test('CreditLedger and SetBankBalance', (t) => {
  const s = step(opened(), { type: 'CreditLedger', messageId: 'c1', currency: 'AED', amount: d('0.01'), reference: 'x' });
  t.is(fixed(s.ledger), '1000000.01');
  t.is(rejectionOf(decideAccount(s, { type: 'CreditLedger', messageId: 'c2', currency: 'AED', amount: d('0'), reference: 'x' })).code, 'AMOUNT_NOT_POSITIVE');
  const b = step(s, { type: 'SetBankBalance', messageId: 'eod', currency: 'AED', balance: d('-12.30'), asOf: '2024-05-01' });
  t.is(fixed(b.bank), '-12.30');
  t.is(rejectionOf(decideAccount(b, { type: 'SetBankBalance', messageId: 'eod2', currency: 'EUR', balance: d('1'), asOf: 'x' })).code, 'CURRENCY_MISMATCH');
});

test('a tripped breaker refuses payouts and debits, lets credits and bank entries in', (t) => {
  const s = step(opened('settlement'), { type: 'TripBreaker', messageId: 'trip', reason: 'Critical: L > B' });
  t.true(s.breaker.open);
  const reserve = { type: 'Reserve', messageId: 'r', reservationId: 'R', currency: 'AED', amount: d('1') } as const;
  t.is(rejectionOf(decideAccount(s, reserve)).code, 'BREAKER_OPEN');
  t.is(rejectionOf(decideAccount(s, { type: 'DebitLedger', messageId: 'd', currency: 'AED', amount: d('1'), reservationId: null, reference: 'x', backingHeadroom: null })).code, 'BREAKER_OPEN');
  t.is(fixed(step(s, { type: 'CreditLedger', messageId: 'c', currency: 'AED', amount: d('1'), reference: 'x' }).ledger), '1000001.00');
  t.is(fixed(step(s, record('e', entry('5'))).bank), '1000005.00');
  const reset = step(s, { type: 'ResetBreaker', messageId: 'reset', reason: 'back within Minor' });
  t.false(reset.breaker.open);
  t.is(only(decideAccount(reset, reserve)).type, 'FundsReserved');
});

test('bankEntryCommand maps the reader model: key, refs from a single TxDtls, no status is not BOOK', (t) => {
  const model: Entry = {
    index: 0, amount: { value: d('50000.00'), currency: 'AED', lexical: '50000.00' }, direction: 'CRDT', reversal: false, status: 'BOOK',
    accountServicerReference: 'BANKREF-9', charges: [], batches: [],
    details: [{ index: 0, refs: { endToEndId: 'E2E-9', uetr: UETR }, charges: [], remittance: [] }],
  };
  const mapped = bankEntryCommand(model, 'MSG-1/0');
  if (!('command' in mapped)) return t.fail();
  t.like(mapped.command, { currency: 'AED', status: 'BOOK', entry: { key: 'BANKREF-9', endToEndId: 'E2E-9', uetr: UETR, reversal: false } });
  const batch = bankEntryCommand({ ...model, details: [model.details[0]!, model.details[0]!] }, 'MSG-1/0');
  t.is('command' in batch ? batch.command.entry.endToEndId : 'x', null);
  const { status: _s, ...noStatus } = model;
  const unknown = bankEntryCommand(noStatus, 'm');
  t.is('command' in unknown ? rejectionOf(decideAccount(opened(), unknown.command)).code : 'x', 'ENTRY_NOT_BOOKABLE');
  const { direction: _d, ...noDirection } = model;
  t.is('rejection' in bankEntryCommand(noDirection, 'm') ? 'ENTRY_INCOMPLETE' : 'x', 'ENTRY_INCOMPLETE');
});

test('the state codec round-trips an account with every collection filled', (t) => {
  let s: AccountState = opened('settlement');
  s = step(s, { type: 'ExpectPayIn', messageId: 'x1', payInId: 'P', participant: 'B', currency: 'AED', amount: d('1'), endToEndId: 'E', uetr: null });
  s = step(s, { type: 'Reserve', messageId: 'x2', reservationId: 'R', currency: 'AED', amount: d('3.5') });
  s = step(s, record('x3', entry('2', { key: 'K' }), 'PDNG'));
  const json = JSON.parse(JSON.stringify(accountStateCodec.encode(s)));
  t.deepEqual(accountStateCodec.encode(accountStateCodec.decode(json)), json);
  t.is(json.reserved, '3.5');
});
