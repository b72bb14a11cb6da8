// The mock bank with faults off: it must be an exact bank before it can be a faulty one. Each test
// drives the public port (balance, submit, statement, subscribe) plus the test helpers, and checks
// figures against amounts written out by hand, never against the bank's own arithmetic.

import test from 'ava';
import type { BankAccountRef, BankNotification } from '../../../adapters/bank/client.ts';
import { MockBank } from '../../../adapters/bank/mock-bank.ts';
import {
  bankAt,
  bn,
  CLIENT_FUNDS_EUR,
  ELSEWHERE_EUR,
  entryFigures,
  instruction,
  NOSTRO_AED,
  open,
  PARTICIPANT_GBP,
  readReport,
  SETTLEMENT_EUR,
} from './fixtures.ts';

function listen(bank: MockBank): BankNotification[] {
  const got: BankNotification[] = [];
  bank.subscribe((n) => got.push(n));
  return got;
}

async function balanceOf(bank: MockBank, account: BankAccountRef): Promise<string> {
  const r = await bank.balance(account);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.amount.toFixed();
}

test('balances are exact decimals through bookings that floats would get wrong', async (t) => {
  const { bank } = bankAt();
  open(t, bank, SETTLEMENT_EUR, '0.10');
  open(t, bank, CLIENT_FUNDS_EUR, '0');
  t.true(bank.fund(SETTLEMENT_EUR, bn('0.20')).ok);
  t.is(await balanceOf(bank, SETTLEMENT_EUR), '0.3', '0.1 + 0.2 is 0.3 here');
  t.true(bank.fund(SETTLEMENT_EUR, bn('9999999999999999.69')).ok);
  const r = await bank.submit(instruction(SETTLEMENT_EUR, CLIENT_FUNDS_EUR, '9999999999999999.98', 'EUR'));
  t.like(r, { ok: true, value: { status: 'ACCEPTED' } });
  t.is(await balanceOf(bank, SETTLEMENT_EUR), '0.01');
  t.is(await balanceOf(bank, CLIENT_FUNDS_EUR), '9999999999999999.98');
  const b = await bank.balance(SETTLEMENT_EUR);
  t.like(b, { ok: true, value: { currency: 'EUR', account: SETTLEMENT_EUR, asOf: '2025-03-10T08:00:00.000Z' } });
});

test('the same idempotency key twice is the same answer and one booking', async (t) => {
  const { bank } = bankAt();
  open(t, bank, SETTLEMENT_EUR, '1000.00');
  const notes = listen(bank);
  const i = instruction(SETTLEMENT_EUR, ELSEWHERE_EUR, '250.00', 'EUR');
  const first = await bank.submit(i);
  // A retry may rebuild the document (new MsgId, CreDtTm): still the same instruction.
  const again = await bank.submit({ ...i, xml: i.xml.replace(/DLT-SETTLE-\d+/, 'DLT-SETTLE-RETRY') });
  t.deepEqual(again, first);
  t.like(first, { ok: true, value: { status: 'ACCEPTED' } });
  t.is(bank.bookings(SETTLEMENT_EUR).length, 1);
  t.is(await balanceOf(bank, SETTLEMENT_EUR), '750');
  t.is(notes.length, 1, 'one notification for one booking');
});

test('a key reused for another instruction is IDEMPOTENCY_CONFLICT and books nothing', async (t) => {
  const { bank } = bankAt();
  open(t, bank, SETTLEMENT_EUR, '1000.00');
  const i = instruction(SETTLEMENT_EUR, ELSEWHERE_EUR, '250.00', 'EUR');
  t.like(await bank.submit(i), { ok: true });
  const other = instruction(SETTLEMENT_EUR, ELSEWHERE_EUR, '250.01', 'EUR', { idempotencyKey: i.idempotencyKey });
  const r = await bank.submit(other);
  t.like(r, { ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
  t.is(bank.bookings(SETTLEMENT_EUR).length, 1);
});

test('a REJECTED answer is also final for its key', async (t) => {
  const { bank } = bankAt();
  open(t, bank, SETTLEMENT_EUR, '100.00');
  const i = instruction(SETTLEMENT_EUR, ELSEWHERE_EUR, '100.01', 'EUR');
  const first = await bank.submit(i);
  t.like(first, { ok: true, value: { status: 'REJECTED', reason: { code: 'AM04' } } });
  t.true(bank.fund(SETTLEMENT_EUR, bn('50')).ok);
  t.deepEqual(await bank.submit(i), first, 'funds arriving later do not turn a refused key into a booking');
  t.is(await balanceOf(bank, SETTLEMENT_EUR), '150');
});

test('refusals carry ISO reason codes: unknown accounts, a document that disagrees, bad amounts', async (t) => {
  const { bank } = bankAt();
  open(t, bank, SETTLEMENT_EUR, '100.00');
  const reason = async (i: ReturnType<typeof instruction>) => {
    const r = await bank.submit(i);
    return r.ok ? r.value.reason?.code : r.error.code;
  };
  t.is(await reason(instruction(ELSEWHERE_EUR, { iban: 'GB29NWBK60161331926819' }, '1.00', 'EUR')), 'AC01');
  t.is(await reason(instruction(SETTLEMENT_EUR, SETTLEMENT_EUR, '1.00', 'EUR')), 'AC01');
  const doc = instruction(SETTLEMENT_EUR, ELSEWHERE_EUR, '1.00', 'EUR');
  t.is(await reason({ ...doc, idempotencyKey: 'k-amount', amount: bn('2.00') }), 'FF01', 'the document says 1.00');
  t.is(await reason({ ...doc, idempotencyKey: 'k-uetr', uetr: 'eb6305c9-1f7f-49de-aed0-16487c27b42d' }), 'FF01');
  t.is(await reason({ ...doc, idempotencyKey: 'k-type', messageType: 'pacs.008' }), 'FF01');
  t.is(await reason({ ...doc, idempotencyKey: 'k-xml', xml: '<Document>' }), 'FF01');
  t.is(await reason({ ...doc, idempotencyKey: 'k-precision', amount: bn('1.005') }), 'AM12', 'EUR has 2 decimals');
  t.is(await reason({ ...doc, idempotencyKey: '' }), 'INVALID_REQUEST');
  t.is(bank.bookings().length, 0);
});

test('a book transfer debits one account and credits the other, each notified in its own camt.054', async (t) => {
  const { bank } = bankAt();
  open(t, bank, SETTLEMENT_EUR, '500.00');
  open(t, bank, CLIENT_FUNDS_EUR, '0');
  const notes = listen(bank);
  const i = instruction(SETTLEMENT_EUR, CLIENT_FUNDS_EUR, '120.50', 'EUR', { messageType: 'pacs.008' });
  const r = await bank.submit(i);
  if (!r.ok || r.value.status !== 'ACCEPTED') return void t.fail(JSON.stringify(r));
  const ref = r.value.bankReference;
  t.is(notes.length, 2, 'delivered before the submit answered');
  const [debit, credit] = notes.map((n) => readReport(t, n.xml, 'camt.054'));
  t.is(debit!.account.iban, SETTLEMENT_EUR.iban);
  t.is(debit!.account.currency, 'EUR');
  t.deepEqual(entryFigures(debit!.entries[0]!), { amount: '120.5', direction: 'DBIT', ref, e2e: i.endToEndId, uetr: i.uetr });
  t.is(credit!.account.iban, CLIENT_FUNDS_EUR.iban);
  t.deepEqual(entryFigures(credit!.entries[0]!), { amount: '120.5', direction: 'CRDT', ref, e2e: i.endToEndId, uetr: i.uetr });
  t.is(debit!.entries[0]!.status, 'BOOK');
  t.is(debit!.entries[0]!.bookingDate?.value, '2025-03-10');
  t.is(debit!.entries[0]!.amount!.lexical, '120.50', 'written in the minor units of EUR');
  t.not(notes[0]!.messageId, notes[1]!.messageId);
});

test('only accounts deltran holds are notified; other accounts of the bank are booked silently', async (t) => {
  const { bank } = bankAt();
  open(t, bank, PARTICIPANT_GBP, '1000', false);
  open(t, bank, { iban: 'GB33BUKB20201555555555', currency: 'GBP' }, '0');
  const notes = listen(bank);
  const r = await bank.submit(instruction(PARTICIPANT_GBP, { iban: 'GB33BUKB20201555555555' }, '10.00', 'GBP'));
  t.like(r, { ok: true, value: { status: 'ACCEPTED' } });
  t.is(notes.length, 1);
  t.is(readReport(t, notes[0]!.xml, 'camt.054').account.iban, 'GB33BUKB20201555555555');
  t.is(await balanceOf(bank, PARTICIPANT_GBP), '990');
});

test('fund is an external credit with the references of the pay-in', async (t) => {
  const { bank } = bankAt();
  open(t, bank, NOSTRO_AED, '1000000.00');
  const notes = listen(bank);
  const uetr = '8a562c67-ca16-48ba-b074-65581be6f011';
  const f = bank.fund(NOSTRO_AED, bn('50000.00'), { endToEndId: 'PAYIN-1', uetr });
  if (!f.ok) return void t.fail(JSON.stringify(f.error));
  await Promise.resolve();
  t.is(notes.length, 1);
  const report = readReport(t, notes[0]!.xml, 'camt.054');
  t.deepEqual(entryFigures(report.entries[0]!), { amount: '50000', direction: 'CRDT', ref: f.value.accountServicerReference, e2e: 'PAYIN-1', uetr });
  t.is(await balanceOf(bank, NOSTRO_AED), '1050000');
  t.like(bank.fund(NOSTRO_AED, bn('1.001')), { ok: false, error: { code: 'INVALID_REQUEST' } }, 'AED has 2 decimals');
  t.like(bank.fund(NOSTRO_AED, bn('0')), { ok: false, error: { code: 'INVALID_REQUEST' } });
  t.like(bank.fund(NOSTRO_AED, bn('1'), { uetr: 'not-a-uuid' }), { ok: false, error: { code: 'INVALID_REQUEST' } });
});

test('drift moves balance() and sends no notification', async (t) => {
  const { bank } = bankAt();
  open(t, bank, CLIENT_FUNDS_EUR, '1000.00');
  const notes = listen(bank);
  t.true(bank.drift(CLIENT_FUNDS_EUR, bn('-0.35')).ok);
  t.true(bank.drift(CLIENT_FUNDS_EUR, bn('20')).ok);
  await Promise.resolve();
  t.is(await balanceOf(bank, CLIENT_FUNDS_EUR), '1019.65');
  t.deepEqual(notes, []);
  t.is(bank.pendingNotifications, 0, 'not held back either: never sent');
  t.like(bank.drift(CLIENT_FUNDS_EUR, bn('0')), { ok: false, error: { code: 'INVALID_REQUEST' } });
});

test('unknown accounts and bad account references are errors with codes', async (t) => {
  const { bank } = bankAt();
  t.like(await bank.balance(SETTLEMENT_EUR), { ok: false, error: { code: 'ACCOUNT_UNKNOWN' } });
  open(t, bank, SETTLEMENT_EUR);
  t.like(await bank.balance({ ...SETTLEMENT_EUR, currency: 'USD' }), { ok: false, error: { code: 'ACCOUNT_UNKNOWN' } }, 'another currency is another account');
  t.like(bank.openAccount(SETTLEMENT_EUR), { ok: false, error: { code: 'INVALID_REQUEST' } }, 'already open');
  t.like(bank.openAccount({ iban: 'DE89370400440532013001', currency: 'EUR' }), { ok: false, error: { code: 'INVALID_REQUEST' } }, 'mod-97');
  t.like(bank.openAccount({ iban: 'DE89370400440532013000', currency: 'XYZ' }), { ok: false, error: { code: 'INVALID_REQUEST' } });
  t.true(bank.openAccount({ other: { id: '0011223344' }, currency: 'JPY' }).ok);
  t.like(await bank.balance({ other: { id: '0011223344' }, currency: 'JPY' }), { ok: true });
  t.like(bank.fund(PARTICIPANT_GBP, bn('1')), { ok: false, error: { code: 'ACCOUNT_UNKNOWN' } });
});
