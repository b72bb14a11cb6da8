// Goal: passivation (sharded.ts) saves the nact actor of an idle account and nothing else. Method:
// accounts on an in-memory journal with a short passivateAfterMs; after they idle, their nact
// actors are stopped while their state stays published; the next commands, sent in a burst, are
// applied in order on the kept state (no recovery from the journal), and stop() still leaves
// nothing running.

import test from 'ava';
import { Accounts } from '../../../actors/account/actor.ts';
import { accountActorId } from '../../../actors/account/model.ts';
import { d, MemoryJournal, refOf } from './support.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('idle accounts are passivated, keep their state, and take the next messages in order', async (t) => {
  const journal = new MemoryJournal();
  const accounts = new Accounts({ journal, shards: 4, passivateAfterMs: 20 });
  const ids = Array.from({ length: 50 }, (_, i) => accountActorId(refOf(i)));
  const opened = await Promise.all(ids.map((id, i) => accounts.send(id, {
    type: 'OpenAccount', messageId: 'open', ref: refOf(i), accountType: 'fee', ledger: d('5'), bank: d('5'),
  })));
  t.true(opened.every((o) => o.status === 'appended'));
  const stats = (accounts as unknown as { actors: { stats: { passivated: number; activated: number } } }).actors.stats;
  const loads = journal.stats.loads;
  await sleep(120);
  t.is(stats.passivated, 50);
  for (const id of ids) t.is(accounts.state(id)?.seq, 1, 'the state stays published while passivated');

  // A burst per account: each command decides on the state the one before left.
  const outcomes = await Promise.all(ids.flatMap((id, i) => Array.from({ length: 5 }, (_, k) =>
    accounts.send(id, { type: 'CreditLedger', messageId: `c${k}`, currency: refOf(i).currency, amount: d('1'), reference: `r${k}` }))));
  t.true(outcomes.every((o) => o.status === 'appended'));
  t.is(stats.activated, 100);
  for (const id of ids) {
    const p = accounts.state(id)!;
    t.is(p.seq, 6);
    t.is(p.state?.status === 'open' ? p.state.ledger.toFixed() : null, '10');
  }
  t.is(journal.stats.loads, loads, 'no recovery from the journal after passivation');
  await accounts.stop();
});
