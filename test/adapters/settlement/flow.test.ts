// Goal: the confirmation path as the service will run it: the mock bank's camt.054 go through the
// real ingestion pipeline into real account actors (journaled), whose onApplied hook is the
// settler's; duplicated and reordered notifications included. Then a settler that dies after the
// bookings were journaled but before it recorded them: a new one on the same database confirms
// them from the journal, and pays nothing again. Balances in deltran equal the bank's.

import BigNumber from 'bignumber.js';
import type { AccountEvent } from '../../../actors/account/events.ts';
import { Accounts } from '../../../actors/account/actor.ts';
import { accountActorId, type AccountRef } from '../../../actors/account/model.ts';
import type { BankClient } from '../../../adapters/bank/client.ts';
import { MockBank } from '../../../adapters/bank/mock-bank.ts';
import { DeadLetters } from '../../../adapters/db/dead-letters.ts';
import { GroupCommitter } from '../../../adapters/db/group-commit.ts';
import { PgJournal } from '../../../adapters/db/journal.ts';
import { migrate } from '../../../adapters/db/migrate.ts';
import { instructionUetr } from '../../../adapters/settlement/references.ts';
import { BankSettler } from '../../../adapters/settlement/settler.ts';
import { ingestDelivery, type IngestReport } from '../../../streams/ingest/pipeline.ts';
import { delivery } from '../../streams/ingest/support.ts';
import { bothEngines } from '../db/engines.ts';
import { eventually } from '../../helpers/eventually.ts';
import { openAccounts, plans, registerParticipants, sleep } from './support.ts';

const ACCOUNTS: AccountRef[] = [
  { scheme: 'OTHER', id: 'ALPHA-SETTLE-1', currency: 'USD' },
  { scheme: 'IBAN', id: 'GB29NWBK60161331926819', currency: 'USD' },
  { scheme: 'OTHER', id: 'CHARLIE-SETTLE', currency: 'USD' },
  { scheme: 'OTHER', id: 'DELTA SETTLE 4', currency: 'USD' },
];

bothEngines('camt.054 through the pipeline and the account actors confirm every instruction; a settler dying before it records them is caught up from the journal', async (t, { db }) => {
  await migrate(db);
  await registerParticipants(db);
  const bank = new MockBank({ name: 'MOCK-', faults: { seed: 5, notifications: { duplicateRate: 0.5, reorderRate: 0.4, reorderMaxMs: 5 } } });
  openAccounts(bank, 'USD', '5000');
  const journal = new GroupCommitter(new PgJournal(db));
  // The hook the service composes; which settler it reaches is swapped to play the crash.
  let hook: ((actorId: string, seq: number, events: readonly AccountEvent[]) => void) | null = null;
  const accounts = new Accounts({ journal, shards: 2, onApplied: (a, s, e) => hook?.(a, s, e) });
  for (const ref of ACCOUNTS) {
    const o = await accounts.send(accountActorId(ref), { type: 'OpenAccount', messageId: `open/${ref.id}`, ref, accountType: 'settlement', ledger: new BigNumber(0), bank: new BigNumber(5000) });
    t.is(o.status, 'appended');
  }
  const deadLetters = new DeadLetters(db);
  const ingested: Promise<IngestReport>[] = [];
  bank.subscribe((n) => ingested.push(ingestDelivery(delivery(n.xml), { accounts, deadLetters, nakDelayMs: 10 })));
  const banks = new Map<string, BankClient>([['mock', bank]]);
  const calls = { retries: 3, backoffInitialMs: 1, backoffMaxMs: 2, halfOpenAfterMs: 50 } as const;
  const quiet = () => {};

  const first = await BankSettler.open({ db, banks, calls, log: quiet });
  hook = first.onAccountApplied;
  const w1 = plans('W20261201T0600Z', [['ALPHAEADXXX', 'BRAVGB2LXXX', '1200.50'], ['CHARLIE1XXX', 'DELTAUS3XXX', '300.25'], ['DELTAUS3XXX', 'ALPHAEADXXX', '0.75']]);
  await first.settle('W20261201T0600Z', w1);
  await first.idle();
  await eventually(async () => (bank.pendingNotifications === 0 && ingested.length >= 6 ? true : undefined), 'notifications');
  await Promise.all(ingested);
  await first.idle();
  t.deepEqual([...(await first.statuses('W20261201T0600Z')).values()].map((u) => u.status), ['CONFIRMED', 'CONFIRMED', 'CONFIRMED']);
  t.true(ingested.length > 6, 'duplicates were delivered');
  t.true((await Promise.all(ingested)).some((r) => r.verdict === 'duplicate'));

  // The next window: the bookings are journaled, but the settler is dead before its hook ran.
  const second = await BankSettler.open({ db, banks, calls, log: quiet });
  hook = null;
  const w2 = plans('W20261201T1200Z', [['BRAVGB2LXXX', 'CHARLIE1XXX', '99.99'], ['ALPHAEADXXX', 'DELTAUS3XXX', '10.00']]);
  await second.settle('W20261201T1200Z', w2);
  await second.idle();
  await eventually(async () => (bank.pendingNotifications === 0 && ingested.length >= 10 ? true : undefined), 'notifications');
  await Promise.all(ingested);
  await sleep(10);
  t.deepEqual([...(await second.statuses('W20261201T1200Z')).values()].map((u) => u.status), ['SENT', 'SENT']);
  // Restart: the catch-up at open reads the settlement accounts' journal.
  const third = await BankSettler.open({ db, banks, calls, log: quiet });
  hook = third.onAccountApplied;
  t.deepEqual([...(await third.statuses('W20261201T1200Z')).values()].map((u) => u.status), ['CONFIRMED', 'CONFIRMED']);
  await third.settle('W20261201T1200Z', w2);
  await third.idle();
  t.is(bank.bookings().length, 10, 'five instructions, two legs each, none twice');
  for (const p of [...w1, ...w2]) t.is(bank.bookings().filter((b) => b.uetr === instructionUetr(p.id)).length, 2);
  // deltran's bank figure of every settlement account equals the bank's own balance.
  for (const ref of ACCOUNTS) {
    const ours = accounts.state(accountActorId(ref))?.state;
    const theirs = await bank.balance(ref.scheme === 'IBAN' ? { iban: ref.id, currency: 'USD' } : { other: { id: ref.id }, currency: 'USD' });
    t.true(theirs.ok && ours?.status === 'open' && ours.bank.eq(theirs.value.amount), `${ref.id}: ${ours?.status === 'open' ? ours.bank.toFixed() : '?'} vs bank`);
  }
  await accounts.stop();
  await journal.close();
});
