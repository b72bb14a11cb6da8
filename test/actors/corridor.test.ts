// Goal: the corridor's clearing window on real figures: obligations accepted once, gross and
// counts, a close that hands over the obligations in order and resets. Method: an AED→INR
// corridor driven through decide and evolve.

import test from 'ava';
import { decideCorridor } from '../../actors/corridor/decide.ts';
import { evolveCorridor } from '../../actors/corridor/evolve.ts';
import { corridorStateCodec } from '../../actors/corridor/codec.ts';
import { corridorActorId, corridorKey, initialCorridor, type CorridorState } from '../../actors/corridor/model.ts';
import type { AcceptObligationCommand, CorridorCommand } from '../../actors/corridor/commands.ts';
import { d, only, rejectionOf, run } from './helpers.ts';

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
