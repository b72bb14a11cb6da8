// Goal: the corridor's clearing window on real figures: obligations accepted once, gross and
// counts, a close that hands over the obligations in order and resets. The clearing engine's
// batches (issue 5): one ObligationsBatched per batch with its columns, totals per window, the
// cut-off fence (nothing for a closed window), the compact journal form and old snapshots still
// decoding. Method: an AED→INR corridor driven through decide and evolve.

import test from 'ava';
import { decideCorridor } from '../../actors/corridor/decide.ts';
import { evolveCorridor } from '../../actors/corridor/evolve.ts';
import { corridorStateCodec } from '../../actors/corridor/codec.ts';
import { corridorActorId, corridorKey, initialCorridor, type CorridorState } from '../../actors/corridor/model.ts';
import type { AcceptObligationCommand, CorridorCommand } from '../../actors/corridor/commands.ts';
import { d, only, rejectionOf, run } from './helpers.ts';
import { corridorEventCodec, type CorridorEvent } from '../../actors/corridor/events.ts';
import { fromJournal, toJournal } from '../../actors/journal-form.ts';
import type { AcceptBatchCommand } from '../../actors/corridor/commands.ts';

const KEY = corridorKey('AED', 'INR', 'AE', 'IN');

function obligation(id: string, amount: string, payer = 'BANK-A', payee = 'BANK-B'): AcceptObligationCommand {
  return { type: 'AcceptObligation', messageId: `msg-${id}`, obligationId: id, payer, payee, currency: 'AED', amount: d(amount), targetAmount: null };
}

const step = (s: CorridorState, ...c: CorridorCommand[]) => run(decideCorridor, evolveCorridor, s, c);

test('corridor keys: countries only when they differ', (t) => {
  t.is(corridorActorId(KEY), 'corridor:AED-INR:AE-IN');
  t.is(corridorActorId(corridorKey('USD', 'USD', 'US', 'US')), 'corridor:USD-USD');
  t.is(corridorActorId(corridorKey('AED', 'INR')), 'corridor:AED-INR');
});

test('AcceptObligation: gross and count; duplicates, wrong currency, self-obligations refused', (t) => {
  const s = step(initialCorridor(KEY), obligation('O1', '1000000.00'), obligation('O2', '500000.50', 'BANK-B', 'BANK-C'));
  t.is(s.count, 2);
  t.is(s.gross.toFixed(2), '1500000.50');
  t.is(rejectionOf(decideCorridor(s, obligation('O1', '1'))).code, 'DUPLICATE');
  t.is(rejectionOf(decideCorridor(s, { ...obligation('O1', '1'), messageId: 'other' })).code, 'DUPLICATE_OBLIGATION');
  t.is(rejectionOf(decideCorridor(s, { ...obligation('O3', '1'), currency: 'INR' })).code, 'CURRENCY_MISMATCH');
  t.is(rejectionOf(decideCorridor(s, obligation('O4', '1', 'BANK-A', 'BANK-A'))).code, 'SAME_PARTICIPANT');
  t.is(rejectionOf(decideCorridor(s, obligation('O5', '0.001'))).code, 'AMOUNT_PRECISION');
  t.is(rejectionOf(decideCorridor(s, { ...obligation('O6', '1'), targetAmount: d('22.731') })).code, 'AMOUNT_PRECISION');
});

test('CloseWindow: hands over the obligations oldest first, resets, refuses a stale close', (t) => {
  const s = step(initialCorridor(KEY), obligation('O1', '100'), obligation('O2', '30', 'BANK-B', 'BANK-A'));
  const closed = only(decideCorridor(s, { type: 'CloseWindow', messageId: 'close-1', windowId: 1 }));
  if (closed.type !== 'WindowClosed') return t.fail();
  t.deepEqual(closed.obligations.map((o) => o.obligationId), ['O1', 'O2']);
  t.is(closed.gross.toFixed(), '130');
  t.is(closed.count, 2);
  const next = evolveCorridor(s, closed);
  t.like(next, { windowId: 2, count: 0, obligations: null, windowsClosed: 1, lifetimeCount: 2 });
  t.is(next.lifetimeGross.toFixed(), '130');
  t.is(rejectionOf(decideCorridor(next, { type: 'CloseWindow', messageId: 'close-again', windowId: 1 })).code, 'WINDOW_MISMATCH');
  t.is(only(decideCorridor(next, { ...obligation('O1', '5'), messageId: 'msg-O1-new' })).type, 'ObligationAccepted', 'a new window knows no earlier ids');
});

test('a full window refuses with WINDOW_FULL until it is closed', (t) => {
  const s = step(initialCorridor(KEY, { appliedIdsMax: 8, obligationsPerWindowMax: 2 }), obligation('O1', '1'), obligation('O2', '1'));
  t.is(rejectionOf(decideCorridor(s, obligation('O3', '1'))).code, 'WINDOW_FULL');
  const reopened = step(s, { type: 'CloseWindow', messageId: 'c', windowId: 1 }, obligation('O3', '1'));
  t.is(reopened.count, 1);
  const json = JSON.parse(JSON.stringify(corridorStateCodec.encode(s)));
  t.deepEqual(corridorStateCodec.encode(corridorStateCodec.decode(json)), json);
});

function batch(window: string, ids: string[], units: bigint[], extra: Partial<AcceptBatchCommand> = {}): AcceptBatchCommand {
  return {
    type: 'AcceptBatch', messageId: `batch-${window}-${ids.join(',')}`, window, currency: 'AED', first: 0, carried: false,
    ids, payers: ids.map(() => 'BANKAEAAXXX'), payees: ids.map(() => 'BANKINBBXXX'), units, priorities: null, origins: null, ...extra,
  };
}

test('AcceptBatch: one event per batch, totals per clearing window, lifetime figures; invariants refused', (t) => {
  const s = step(initialCorridor(KEY), batch('W20261201T0600Z', ['a', 'b'], [100n, 250n]), batch('W20261201T0600Z', ['c'], [5n]), batch('W20261201T1200Z', ['d'], [7n]));
  t.deepEqual(s.clearing, { open: [{ window: 'W20261201T0600Z', count: 3, units: 355n }, { window: 'W20261201T1200Z', count: 1, units: 7n }], closedThrough: null });
  t.is(s.lifetimeCount, 4);
  t.is(s.lifetimeGross.toFixed(), '3.62');
  t.is(rejectionOf(decideCorridor(s, batch('W20261201T0600Z', ['e'], [0n]))).code, 'AMOUNT_NOT_POSITIVE');
  t.is(rejectionOf(decideCorridor(s, { ...batch('W20261201T0600Z', ['e'], [1n]), payees: ['BANKAEAAXXX'] })).code, 'SAME_PARTICIPANT');
  t.is(rejectionOf(decideCorridor(s, { ...batch('W20261201T0600Z', ['e'], [1n]), currency: 'INR' })).code, 'CURRENCY_MISMATCH');
  t.is(rejectionOf(decideCorridor(s, { ...batch('W20261201T0600Z', ['e', 'f'], [1n, 2n]), payers: ['BANKAEAAXXX'] })).code, 'LIMIT_REACHED');
  // The numbered window of AcceptObligation is untouched.
  t.like(s, { windowId: 1, count: 0 });
});

test('CloseClearingWindow: totals handed over, the window and earlier ones fenced, later ones open', (t) => {
  const s = step(initialCorridor(KEY), batch('W20261201T0600Z', ['a'], [100n]), batch('W20261201T1200Z', ['b'], [7n]));
  const closed = only(decideCorridor(s, { type: 'CloseClearingWindow', messageId: 'close:W20261201T0600Z', window: 'W20261201T0600Z' }));
  t.deepEqual(closed, { type: 'ClearingWindowClosed', messageId: 'close:W20261201T0600Z', window: 'W20261201T0600Z', count: 1, units: 100n });
  const next = evolveCorridor(s, closed);
  t.deepEqual(next.clearing, { open: [{ window: 'W20261201T1200Z', count: 1, units: 7n }], closedThrough: 'W20261201T0600Z' });
  t.is(rejectionOf(decideCorridor(next, batch('W20261201T0600Z', ['late'], [1n]))).code, 'WINDOW_MISMATCH');
  t.is(rejectionOf(decideCorridor(next, batch('W20261201T0000Z', ['older'], [1n]))).code, 'WINDOW_MISMATCH');
  t.is(rejectionOf(decideCorridor(next, { type: 'CloseClearingWindow', messageId: 'again', window: 'W20261201T0600Z' })).code, 'WINDOW_MISMATCH');
  t.is(only(decideCorridor(next, batch('W20261201T1200Z', ['c'], [1n]))).type, 'ObligationsBatched');
  // A window nobody sent anything to closes with zero totals.
  t.like(only(decideCorridor(next, { type: 'CloseClearingWindow', messageId: 'empty', window: 'W20261201T1800Z' })), { count: 0, units: 0n });
});

test('the journal form of a batch: columns joined, origins and priorities kept, ids with control characters refused', (t) => {
  const origin = { messageId: 'MSG1', messageType: 'pacs.008.001.08', sender: 'BANKAEAAXXX', uetr: '97ed4827-7b6f-4491-a06f-b548d5a7512d' };
  const e = only(decideCorridor(initialCorridor(KEY), batch('W20261201T0600Z', ['id one', 'two'], [1n, 20000000000000000n], { priorities: [0, 5], origins: [origin, null], first: 7 })));
  const form = toJournal(corridorEventCodec, e);
  t.like(form.payload as object, { ids: 'id one\ntwo', payers: 'BANKAEAAXXX BANKAEAAXXX', units: '1 20000000000000000', first: 7 });
  const back = fromJournal(corridorEventCodec, JSON.parse(JSON.stringify(form))) as CorridorEvent;
  t.deepEqual(back, e);
  const bad = only(decideCorridor(initialCorridor(KEY), batch('W20261201T0600Z', ['a\nb'], [1n])));
  t.throws(() => toJournal(corridorEventCodec, bad), { message: /cannot be journaled/ });
  t.throws(() => toJournal(corridorEventCodec, only(decideCorridor(initialCorridor(KEY), batch('W20261201T0600Z', [''], [1n])))), { message: /cannot be journaled/ });
  // A snapshot written before the clearing engine (no `clearing` field) still decodes.
  const old = corridorStateCodec.encode(initialCorridor(KEY)) as Record<string, unknown>;
  delete old['clearing'];
  t.deepEqual(corridorStateCodec.decode(old).clearing, { open: [], closedThrough: null });
});
