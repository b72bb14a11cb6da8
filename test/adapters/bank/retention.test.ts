// The mock bank's retention: bookings older than `retainDays` are folded into the opening balance
// (the service's default mock mirrors every booking deltran journals, so it must stay bounded);
// balances and recent statements are unchanged, statements of forgotten days are refused.

import test from 'ava';
import BigNumber from 'bignumber.js';
import { ManualClock } from '../../../adapters/bank/clock.ts';
import { MockBank } from '../../../adapters/bank/mock-bank.ts';

const DAY = 86_400_000;
const REF = { iban: 'DE89370400440532013000', currency: 'EUR' } as const;

test('bookings beyond retainDays are folded into the opening; recent statements still add up', async (t) => {
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const bank = new MockBank({ clock, retainDays: 2 });
  t.true(bank.openAccount(REF, { opening: new BigNumber('100.00') }).ok);
  t.true(bank.fund(REF, new BigNumber('10.00')).ok);
  await clock.advance(DAY);
  t.true(bank.fund(REF, new BigNumber('20.00')).ok);
  await clock.advance(3 * DAY); // 2026-03-06
  t.true(bank.fund(REF, new BigNumber('30.00')).ok);
  t.deepEqual(bank.bookings(REF).map((b) => b.amount.toFixed(2)), ['30.00'], 'the bookings of 03-02 and 03-03 are forgotten');
  const balance = await bank.balance(REF);
  t.true(balance.ok && balance.value.amount.eq('160.00'));
  const old = await bank.statement(REF, '2026-03-03');
  t.false(old.ok);
  t.is(!old.ok && old.error.code, 'STATEMENT_NOT_READY');
  await clock.advance(DAY);
  const recent = await bank.statement(REF, '2026-03-06');
  t.true(recent.ok);
  // Opening 130.00 (100 + 10 + 20 folded), one credit of 30.00, closing 160.00.
  t.regex(recent.ok ? recent.value : '', /<Amt Ccy="EUR">130\.00<\/Amt>[\s\S]*<Amt Ccy="EUR">160\.00<\/Amt>/);
});

test('without retainDays every booking is kept', async (t) => {
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const bank = new MockBank({ clock });
  bank.openAccount(REF, {});
  bank.fund(REF, new BigNumber('1.00'));
  await clock.advance(400 * DAY);
  bank.fund(REF, new BigNumber('2.00'));
  t.is(bank.bookings(REF).length, 2);
});
