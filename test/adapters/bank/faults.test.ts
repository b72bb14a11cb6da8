// Fault injection. Every test runs on a manual clock, so time only moves when the test says and the
// order of events cannot depend on the machine's load. Goals: the same seed gives the same faults
// and the same delivered sequence; a TIMEOUT may or may not have booked and a retry with the same
// key settles it with exactly one booking either way; each notification fault does what it says;
// a lagging balance is an older figure, never a wrong one.

import test from 'ava';
import type { BankNotification, BankResult, SubmitAnswer } from '../../../adapters/bank/client.ts';
import type { ManualClock } from '../../../adapters/bank/clock.ts';
import type { FaultOptions } from '../../../adapters/bank/faults.ts';
import type { MockBank } from '../../../adapters/bank/mock-bank.ts';
import { seededRng } from '../../../adapters/bank/rng.ts';
import { bankAt, bn, CLIENT_FUNDS_EUR, ELSEWHERE_EUR, instruction, open, readReport, SETTLEMENT_EUR } from './fixtures.ts';

const STEP_MS = 50;
const STEPS_MAX = 10_000;

/** Moves the clock until the call answers (bounded: a call that never answers fails the test). */
async function answer<T>(clock: ManualClock, call: Promise<T>): Promise<T> {
  let result: { value: T } | undefined;
  void call.then((value) => (result = { value }));
  for (let i = 0; i < STEPS_MAX && result === undefined; i++) await clock.advance(STEP_MS);
  if (result === undefined) throw new Error('the call never answered');
  return result.value;
}

function listen(bank: MockBank): BankNotification[] {
  const got: BankNotification[] = [];
  bank.subscribe((n) => got.push(n));
  return got;
}

test('the generator is reproducible and uniform enough to trust rates', (t) => {
  const a = seededRng(7);
  const b = seededRng(7);
  const xs = Array.from({ length: 10_000 }, () => a());
  t.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b()));
  t.true(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  t.true(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  t.notDeepEqual(Array.from({ length: 5 }, seededRng(8)), xs.slice(0, 5));
});

const EVERYTHING: Omit<FaultOptions, 'seed'> = {
  latencyMs: 20,
  jitterMs: 80,
  failureRate: 0.15,
  timeoutRate: 0.15,
  timeoutMs: 1_000,
  notifications: { dropRate: 0.1, duplicateRate: 0.15, reorderRate: 0.2, delayRate: 0.3, delayMs: 100, delayJitterMs: 400, reorderMaxMs: 700 },
};

/** A fixed scenario under every fault: what it observed, in order. */
async function scenario(seed: number): Promise<{ log: unknown; delivered: string[]; xml: string[]; answers: string[]; balance: string }> {
  const { bank, clock } = bankAt({ faults: { seed, ...EVERYTHING } });
  const t = { fail: (m: string) => { throw new Error(m); } } as never;
  open(t, bank, SETTLEMENT_EUR, '100000.00');
  open(t, bank, CLIENT_FUNDS_EUR, '0');
  const delivered = listen(bank);
  const answers: string[] = [];
  for (let i = 0; i < 30; i++) {
    bank.fund(SETTLEMENT_EUR, bn(`${i + 1}.00`));
    const r = await answer(clock, bank.submit(instruction(SETTLEMENT_EUR, i % 2 === 0 ? CLIENT_FUNDS_EUR : ELSEWHERE_EUR, `${i + 10}.01`, 'EUR', { uetr: uuid(i), endToEndId: `E-${i}` })));
    answers.push(r.ok ? r.value.status : r.error.code);
    const b = await answer(clock, bank.balance(CLIENT_FUNDS_EUR));
    answers.push(b.ok ? `balance ${b.value.amount.toFixed()}` : b.error.code);
  }
  await clock.advance(5_000);
  const final = await answer(clock, bank.balance(SETTLEMENT_EUR));
  return { log: bank.faultLog, delivered: delivered.map((n) => n.messageId), xml: delivered.map((n) => n.xml), answers, balance: final.ok ? final.value.amount.toFixed() : final.error.code };
}

function uuid(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

test('the same seed gives the same faults, answers and delivered sequence; another seed does not', async (t) => {
  const a = await scenario(42);
  const b = await scenario(42);
  t.deepEqual(a, b);
  const kinds = new Set((a.log as { outcome?: string }[]).map((r) => r.outcome).filter(Boolean));
  t.deepEqual([...kinds].sort(), ['ANSWER', 'TIMEOUT', 'UNAVAILABLE'], 'the scenario exercises every call outcome');
  for (const xml of a.xml) readReport(t, xml, 'camt.054');
  const c = await scenario(43);
  t.notDeepEqual(c.log, a.log);
  t.notDeepEqual(c.delivered, a.delivered);
});

test('a TIMEOUT may have booked; retrying with the same key always ends in exactly one booking', async (t) => {
  let bookedThenRetried = 0;
  let notBookedThenRetried = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const { bank, clock } = bankAt({ faults: { seed, latencyMs: 10, failureRate: 0.2, timeoutRate: 0.5, timeoutMs: 2_000, timeoutBookedRate: 0.5 } });
    open(t, bank, SETTLEMENT_EUR, '1000.00');
    const i = instruction(SETTLEMENT_EUR, ELSEWHERE_EUR, '99.99', 'EUR');
    let r: BankResult<SubmitAnswer> | undefined;
    const timeouts: boolean[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      r = await answer(clock, bank.submit(i));
      if (r.ok) break;
      t.true(r.error.code === 'TIMEOUT' || r.error.code === 'UNAVAILABLE', r.error.code);
      if (r.error.code === 'TIMEOUT') timeouts.push(bank.bookings(SETTLEMENT_EUR).length === 1);
    }
    if (!r?.ok) return void t.fail(`seed ${seed}: no answer in 50 attempts`);
    t.is(r.value.status, 'ACCEPTED');
    const bookings = bank.bookings(SETTLEMENT_EUR);
    t.is(bookings.length, 1, `seed ${seed}: one booking whatever the timeouts`);
    t.is(bookings[0]!.accountServicerReference, r.value.bankReference, 'the retry learns the reference of the booking the timeout hid');
    const balance = await answer(clock, bank.balance(SETTLEMENT_EUR));
    if (balance.ok) t.is(balance.value.amount.toFixed(2), '900.01');
    if (timeouts.includes(true)) bookedThenRetried++;
    if (timeouts.length > 0 && !timeouts[0]) notBookedThenRetried++;
  }
  t.true(bookedThenRetried > 0, 'some seeds booked before the timeout');
  t.true(notBookedThenRetried > 0, 'some seeds timed out before booking');
});

test('latency is on the bank clock: fixed, then fixed + jitter within bounds', async (t) => {
  const { bank, clock } = bankAt({ faults: { seed: 1, latencyMs: 200 } });
  open(t, bank, SETTLEMENT_EUR, '1.00');
  let done = false;
  void bank.balance(SETTLEMENT_EUR).then(() => (done = true));
  await clock.advance(199);
  t.false(done);
  await clock.advance(1);
  t.true(done);
  const jittery = bankAt({ faults: { seed: 9, latencyMs: 100, jitterMs: 50 } });
  open(t, jittery.bank, SETTLEMENT_EUR, '1.00');
  for (let i = 0; i < 20; i++) await answer(jittery.clock, jittery.bank.balance(SETTLEMENT_EUR));
  const latencies = jittery.bank.faultLog.map((r) => ('latencyMs' in r ? r.latencyMs : -1));
  t.true(latencies.every((ms) => ms >= 100 && ms <= 150), latencies.join(','));
  t.true(new Set(latencies).size > 1);
});

test('UNAVAILABLE does nothing: no booking, no notification', async (t) => {
  const { bank, clock } = bankAt({ faults: { seed: 3, failureRate: 1 } });
  open(t, bank, SETTLEMENT_EUR, '1000.00');
  const got = listen(bank);
  const r = await answer(clock, bank.submit(instruction(SETTLEMENT_EUR, ELSEWHERE_EUR, '1.00', 'EUR')));
  t.like(r, { ok: false, error: { code: 'UNAVAILABLE' } });
  t.like(await answer(clock, bank.balance(SETTLEMENT_EUR)), { ok: false, error: { code: 'UNAVAILABLE' } });
  t.is(bank.bookings().length, 0);
  t.is(got.length, 0);
});

test('a lagging balance reports the books as they were, with that time as asOf', async (t) => {
  const { bank, clock } = bankAt({ faults: { seed: 1, balanceLagMs: 60_000 } });
  open(t, bank, CLIENT_FUNDS_EUR, '100.00');
  t.true(bank.fund(CLIENT_FUNDS_EUR, bn('0.01')).ok);
  await clock.advance(30_000);
  t.like(await bank.balance(CLIENT_FUNDS_EUR), { ok: true, value: { asOf: '2025-03-10T07:59:30.000Z' } });
  t.is(((await bank.balance(CLIENT_FUNDS_EUR)) as { value: { amount: { toFixed(): string } } }).value.amount.toFixed(), '100');
  await clock.advance(30_000);
  t.is(((await bank.balance(CLIENT_FUNDS_EUR)) as { value: { amount: { toFixed(): string } } }).value.amount.toFixed(), '100.01');
});

test('dropped notifications never arrive; the booking is in balance and bookings', async (t) => {
  const { bank } = bankAt({ faults: { seed: 5, notifications: { dropRate: 1 } } });
  open(t, bank, CLIENT_FUNDS_EUR, '0');
  const got = listen(bank);
  t.true(bank.fund(CLIENT_FUNDS_EUR, bn('10')).ok);
  bank.flushNotifications();
  await Promise.resolve();
  t.is(got.length, 0);
  t.like(await bank.balance(CLIENT_FUNDS_EUR), { ok: true });
  t.is(bank.bookings(CLIENT_FUNDS_EUR).length, 1);
});

test('a duplicated notification is the same bytes twice', async (t) => {
  const { bank } = bankAt({ faults: { seed: 5, notifications: { duplicateRate: 1 } } });
  open(t, bank, CLIENT_FUNDS_EUR, '0');
  const got = listen(bank);
  t.true(bank.fund(CLIENT_FUNDS_EUR, bn('10')).ok);
  await Promise.resolve();
  t.is(got.length, 2);
  t.deepEqual(got[0], got[1]);
  readReport(t, got[0]!.xml, 'camt.054');
});

test('delayed notifications arrive within fixed + jitter, in due order, each intact', async (t) => {
  const { bank, clock } = bankAt({ faults: { seed: 11, notifications: { delayRate: 1, delayMs: 1_000, delayJitterMs: 500 } } });
  open(t, bank, CLIENT_FUNDS_EUR, '0');
  const got = listen(bank);
  for (let i = 1; i <= 10; i++) t.true(bank.fund(CLIENT_FUNDS_EUR, bn(`${i}.00`)).ok);
  await clock.advance(999);
  t.is(got.length, 0);
  t.is(bank.pendingNotifications, 10);
  await clock.advance(501);
  t.is(got.length, 10);
  t.is(bank.pendingNotifications, 0);
  const delays = new Map(bank.faultLog.map((r) => [('messageId' in r ? r.messageId : ''), 'delayMs' in r ? r.delayMs : 0]));
  const dues = got.map((n) => delays.get(n.messageId)!);
  t.deepEqual(dues, [...dues].sort((a, b) => a - b), 'all booked at the same instant, so delivered by delay');
  t.notDeepEqual(got.map((n) => n.messageId), [...got.map((n) => n.messageId)].sort(), 'which is not booking order');
  const amounts = got.map((n) => readReport(t, n.xml, 'camt.054').entries[0]!.amount!.value.toNumber()).sort((a, b) => a - b);
  t.deepEqual(amounts, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('a reordered notification is overtaken by the next one, and released after reorderMaxMs at the latest', async (t) => {
  const { bank, clock } = bankAt({ faults: { seed: 21, notifications: { reorderRate: 0.4, reorderMaxMs: 300 } } });
  open(t, bank, CLIENT_FUNDS_EUR, '0');
  const got = listen(bank);
  for (let i = 1; i <= 20; i++) t.true(bank.fund(CLIENT_FUNDS_EUR, bn(`${i}.00`)).ok);
  await clock.advance(300);
  const sent = bank.faultLog.flatMap((r) => ('messageId' in r ? [r] : []));
  t.deepEqual([...got.map((n) => n.messageId)].sort(), sent.map((r) => r.messageId), 'every one delivered once');
  // Expected order: a held notification goes out right after the next one that is not held.
  const expected: string[] = [];
  let held: string[] = [];
  for (const r of sent) {
    if (r.reorder) held.push(r.messageId);
    else {
      expected.push(r.messageId, ...held);
      held = [];
    }
  }
  expected.push(...held);
  t.deepEqual(got.map((n) => n.messageId), expected);
  t.true(sent.some((r) => r.reorder) && sent.some((r) => !r.reorder), 'the seed reorders some, not all');
});

test('flushNotifications delivers everything delayed or held now', async (t) => {
  const { bank } = bankAt({ faults: { seed: 2, notifications: { delayRate: 0.5, delayMs: 10_000, reorderRate: 0.5 } } });
  open(t, bank, CLIENT_FUNDS_EUR, '0');
  const got = listen(bank);
  for (let i = 1; i <= 10; i++) t.true(bank.fund(CLIENT_FUNDS_EUR, bn('1')).ok);
  t.true(bank.pendingNotifications > 0);
  bank.flushNotifications();
  await Promise.resolve();
  t.is(bank.pendingNotifications, 0);
  t.is(got.length, 10);
});

test('fault options out of range are refused at construction', (t) => {
  t.throws(() => bankAt({ faults: { seed: 1, failureRate: 1.5 } }), { instanceOf: RangeError });
  t.throws(() => bankAt({ faults: { seed: 1, failureRate: 0.6, timeoutRate: 0.6 } }), { instanceOf: RangeError });
  t.throws(() => bankAt({ faults: { seed: 1, latencyMs: -1 } }), { instanceOf: RangeError });
  t.throws(() => bankAt({ faults: { seed: 1.5 } }), { instanceOf: TypeError });
});
