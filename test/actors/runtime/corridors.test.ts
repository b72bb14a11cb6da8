// Goal: the corridor actors, wired to the journal, accept obligations into the open window, close
// it, refuse what their pure decide refuses, and come back after a restart exactly as the pure
// functions alone compute, with redeliveries reported as duplicates before and after. Method: the
// in-memory journal with the real one's outcomes behind the real GroupCommitter; a workload over
// several corridors (one keyed by countries) with every message sent twice, in two runtimes.

import test from 'ava';
import BigNumber from 'bignumber.js';
import { Corridors } from '../../../actors/corridor/actor.ts';
import type { CorridorCommand } from '../../../actors/corridor/commands.ts';
import { corridorStateCodec } from '../../../actors/corridor/codec.ts';
import { decideCorridor } from '../../../actors/corridor/decide.ts';
import { evolveCorridor } from '../../../actors/corridor/evolve.ts';
import { corridorActorId, corridorKey, initialCorridor, parseCorridorActorId, type CorridorState } from '../../../actors/corridor/model.ts';
import { isRejection } from '../../../actors/decision.ts';
import { GroupCommitter } from '../../../adapters/db/group-commit.ts';
import { MemoryJournal } from './support.ts';

const KEYS = [corridorKey('AED', 'INR'), corridorKey('USD', 'USD', 'US', 'AE'), corridorKey('EUR', 'GBP')];
const BANKS = ['BANKAEAD', 'BANKINBB', 'BANKUS33', 'BANKGB2L'];

function workload(): { readonly actor: string; readonly command: CorridorCommand }[] {
  const out: { actor: string; command: CorridorCommand }[] = [];
  let n = 0;
  for (let round = 0; round < 3; round++) {
    for (const key of KEYS) {
      const actor = corridorActorId(key);
      for (let i = 0; i < 20; i++) {
        n++;
        const payer = BANKS[n % 4]!;
        // Every 7th owes itself: refused (SAME_PARTICIPANT), and refused again on redelivery.
        const payee = n % 7 === 0 ? payer : BANKS[(n + 1) % 4]!;
        const amount = new BigNumber(n * 1013).shiftedBy(-2);
        out.push({ actor, command: { type: 'AcceptObligation', messageId: `m${n}`, obligationId: `o${n}`, payer, payee, currency: key.sourceCurrency, amount, targetAmount: null } });
      }
      out.push({ actor, command: { type: 'CloseWindow', messageId: `close-${actor}-${round + 1}`, windowId: round + 1 } });
    }
  }
  return out;
}

function expectedStates(messages: ReturnType<typeof workload>): Map<string, CorridorState> {
  const states = new Map<string, CorridorState>();
  for (const { actor, command } of messages) {
    const state = states.get(actor) ?? initialCorridor(parseCorridorActorId(actor)!);
    const decision = decideCorridor(state, command);
    states.set(actor, isRejection(decision) ? state : decision.events.reduce(evolveCorridor, state));
  }
  return states;
}

const json = (s: CorridorState | null | undefined) => JSON.stringify(s == null ? null : corridorStateCodec.encode(s));

test('corridor ids round-trip', (t) => {
  for (const key of KEYS) t.deepEqual(parseCorridorActorId(corridorActorId(key)), key);
  t.is(parseCorridorActorId('account:DE89:EUR'), null);
  t.is(parseCorridorActorId('corridor:AED-INR:AE'), null);
});

test('corridors: accept, close, refuse, redeliver, recover', async (t) => {
  const memory = new MemoryJournal();
  const messages = workload();
  const want = expectedStates(messages);

  const journal = new GroupCommitter(memory);
  let corridors = new Corridors({ journal, snapshotEvery: 7 });
  t.throws(() => corridors.send('account:X:EUR', messages[0]!.command), { message: /not a corridor/ });
  // Per corridor in order (the mailbox keeps it), corridors concurrently.
  const byActor = new Map<string, typeof messages>();
  for (const m of messages) byActor.set(m.actor, [...(byActor.get(m.actor) ?? []), m]);
  const first = await Promise.all([...byActor.values()].map(async (ms) => {
    const outcomes = [];
    for (const m of ms) outcomes.push(await corridors.send(m.actor, m.command));
    return outcomes;
  }));
  const statuses = first.flat().map((o) => o.status);
  t.false(statuses.includes('retry'));
  t.is(statuses.filter((s) => s === 'rejected').length, messages.filter((m) => m.command.type === 'AcceptObligation' && m.command.payer === m.command.payee).length);
  for (const [actor, state] of want) t.is(json(corridors.state(actor)?.state), json(state), actor);
  const aed = corridors.state(corridorActorId(KEYS[0]!))!.state!;
  t.is(aed.windowsClosed, 3);
  t.is(aed.windowId, 4);
  t.true(aed.lifetimeGross.isGreaterThan(0));

  const again = await Promise.all(messages.map((m) => corridors.send(m.actor, m.command)));
  t.true(again.every((o) => o.status === 'duplicate' || o.status === 'rejected'), JSON.stringify(again.filter((o) => o.status !== 'duplicate' && o.status !== 'rejected')));
  await corridors.stop();

  // A fresh runtime over the same journal: recovered from snapshots + events, equal; redeliveries
  // are duplicates (the close of an old window too, not a WINDOW_MISMATCH).
  corridors = new Corridors({ journal, snapshotEvery: 7 });
  const replay = await Promise.all(messages.map((m) => corridors.send(m.actor, m.command)));
  t.true(replay.every((o) => o.status === 'duplicate' || o.status === 'rejected'));
  t.is(replay.filter((o) => o.status === 'duplicate').length, again.filter((o) => o.status === 'duplicate').length);
  for (const [actor, state] of want) t.is(json(corridors.state(actor)?.state), json(state), actor);
  t.deepEqual(corridors.tree().kind, 'corridor');
  t.is(corridors.tree().actors, KEYS.length);
  await corridors.stop();
  await journal.close();
});
