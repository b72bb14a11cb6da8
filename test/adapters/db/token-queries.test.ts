// Goal: the token wiring's reads of the journal agree with the actors. (1) The backing figure
// loaded at start (loadClientFunds: latest snapshot or statement balance + later entries) equals
// the one the onApplied hook kept live, and both equal Σ bank of the client_funds accounts as the
// account actors themselves hold it. (2) The pay-in outbox lists exactly the PayInMatched events
// of client_funds accounts whose mint is not journaled (the SQL builds the mint id as payInMintId
// does), page by page; the catch-up mints each once. Method: real account actors on PGlite and
// PostgreSQL with snapshots every 2 events, a deterministic mix of openings, booked and pending
// entries, statement balances and matched pay-ins over several currencies and account types.

import BigNumber from 'bignumber.js';
import { Accounts } from '../../../actors/account/actor.ts';
import type { AccountCommand } from '../../../actors/account/commands.ts';
import { accountActorId, type AccountRef, type AccountType } from '../../../actors/account/model.ts';
import { Tokens } from '../../../actors/tokens/actor.ts';
import { ClientFundsBacking } from '../../../actors/tokens/backing.ts';
import { payInMintId } from '../../../actors/tokens/model.ts';
import { PayInMinter } from '../../../actors/tokens/pay-in-mints.ts';
import { sum } from '../../../actors/money.ts';
import { GroupCommitter } from '../../../adapters/db/group-commit.ts';
import { PgJournal } from '../../../adapters/db/journal.ts';
import { migrate } from '../../../adapters/db/migrate.ts';
import { JournalPayInOutbox, journaledTokenLedgers, loadClientFunds } from '../../../adapters/db/token-queries.ts';
import { bothEngines } from './engines.ts';

const d = (s: string) => new BigNumber(s);
const TYPES: readonly AccountType[] = ['client_funds', 'client_funds', 'settlement'];
const CCYS = ['AED', 'JPY'] as const;

function refOf(i: number): AccountRef {
  return { scheme: 'OTHER', id: `acct:${i}`, currency: CCYS[i % CCYS.length]! };
}

/** A tiny deterministic generator, so a failure replays. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function commandsFor(i: number, count: number, random: () => number): AccountCommand[] {
  const ref = refOf(i);
  const { currency } = ref;
  const money = (max: number) => d(currency === 'JPY' ? String(Math.floor(random() * max)) : (Math.floor(random() * max * 100) / 100).toFixed(2));
  const out: AccountCommand[] = [{ type: 'OpenAccount', messageId: 'open', ref, accountType: TYPES[i % TYPES.length]!, ledger: d('0'), bank: money(10_000) }];
  for (let k = 1; k < count; k++) {
    const messageId = `c${k}`;
    const r = random();
    const entry = (direction: 'CRDT' | 'DBIT', endToEndId: string | null = null) => ({
      key: `K${k}`, amount: money(500), direction, reversal: false, endToEndId, uetr: null, accountServicerReference: `K${k}`, bookingDate: null,
    });
    if (r < 0.35) out.push({ type: 'RecordBankEntry', messageId, currency, status: 'BOOK', entry: entry(random() < 0.7 ? 'CRDT' : 'DBIT') });
    else if (r < 0.45) out.push({ type: 'RecordBankEntry', messageId, currency, status: 'PDNG', entry: entry('CRDT') });
    else if (r < 0.55) out.push({ type: 'SetBankBalance', messageId, currency, balance: money(20_000), asOf: '2024-05-01' });
    else {
      // An expected pay-in and the booked credit that matches it: PayInMatched.
      out.push({ type: 'ExpectPayIn', messageId: `${messageId}e`, payInId: `PI-${i}-${k}`, participant: 'BANKAEAA', currency, amount: d('1'), endToEndId: `E2E-${i}-${k}`, uetr: null });
      out.push({ type: 'RecordBankEntry', messageId, currency, status: 'BOOK', entry: entry('CRDT', `E2E-${i}-${k}`) });
    }
  }
  return out;
}

bothEngines('the backing figure loaded from the journal equals the live one and the accounts\' own', async (t, { db }) => {
  await migrate(db);
  const journal = new GroupCommitter(new PgJournal(db));
  const live = new ClientFundsBacking();
  const accounts = new Accounts({ journal, snapshotEvery: 2, onApplied: (id, seq, events) => live.observe(id, seq, events) });
  const random = prng(7);
  const ids: string[] = [];
  await Promise.all(Array.from({ length: 24 }, async (_, i) => {
    ids.push(accountActorId(refOf(i)));
    for (const c of commandsFor(i, 10, random)) {
      const o = await accounts.send(accountActorId(refOf(i)), c);
      if (o.status !== 'appended') throw new Error(`${i} ${c.messageId}: ${JSON.stringify(o)}`);
    }
  }));
  const own = (ccy: string) => sum(ids.flatMap((id) => {
    const s = accounts.state(id)?.state;
    return s?.status === 'open' && s.type === 'client_funds' && s.ref.currency === ccy ? [s.bank] : [];
  }));
  const started = Date.now();
  const loaded = await loadClientFunds(db);
  t.log(`start-up scan: ${Date.now() - started} ms`);
  const fromJournal = new ClientFundsBacking(loaded);
  t.is(loaded.length, 16, 'two thirds of the 24 accounts are client_funds');
  for (const ccy of CCYS) {
    t.is(live.of(ccy).toFixed(), own(ccy).toFixed(), `${ccy}: the hook`);
    t.is(fromJournal.of(ccy).toFixed(), own(ccy).toFixed(), `${ccy}: the start-up scan`);
  }
  // The scan reads up to each account's last event, so the hook skips nothing it already counted.
  for (const a of loaded) t.is(a.seq, accounts.state(a.actor)!.seq, a.actor);
  const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM snapshots');
  t.true(Number(rows[0]!.n) > 24, 'snapshots were taken, so the scan went through them');
  await accounts.stop();
  await journal.close();
});

bothEngines('the pay-in outbox: unminted pay-ins of client_funds accounts, in pages; the catch-up mints each once', async (t, { db }) => {
  await migrate(db);
  const journal = new GroupCommitter(new PgJournal(db));
  const accounts = new Accounts({ journal });
  const payIns: string[] = [];
  for (const i of [0, 1, 2]) {
    const ref = { scheme: 'OTHER' as const, id: `acct:${i}`, currency: 'AED' };
    const id = accountActorId(ref);
    const send = async (c: AccountCommand) => t.is((await accounts.send(id, c)).status, 'appended');
    await send({ type: 'OpenAccount', messageId: 'open', ref, accountType: i === 2 ? 'settlement' : 'client_funds', ledger: d('0'), bank: d('0') });
    for (let k = 0; k < 3; k++) {
      await send({ type: 'ExpectPayIn', messageId: `e${k}`, payInId: `PI${k}`, participant: 'BANKAEAA', currency: 'AED', amount: d('10.00'), endToEndId: `E${i}${k}`, uetr: null });
      await send({ type: 'RecordBankEntry', messageId: `b${k}`, currency: 'AED', status: 'BOOK', entry: {
        key: `K${k}`, amount: d('10.00'), direction: 'CRDT', reversal: false, endToEndId: `E${i}${k}`, uetr: null, accountServicerReference: null, bookingDate: null,
      } });
      if (i !== 2) payIns.push(payInMintId(id, `PI${k}`));
    }
  }
  await accounts.stop();

  const outbox = new JournalPayInOutbox(db);
  const all = (await outbox.unminted(null, 100)).items;
  t.deepEqual(all.map((p) => payInMintId(p.account, p.event.payIn.payInId)).sort(), [...payIns].sort(), 'the settlement account\'s pay-ins are not for tokens');
  // Pages of 4 over 9 matched pay-ins (3 of them the settlement account's): 4, 4, 1 read.
  const pages = [await outbox.unminted(null, 4)];
  while (pages[pages.length - 1]!.next !== null) pages.push(await outbox.unminted(pages[pages.length - 1]!.next, 4));
  t.is(pages.length, 3);
  t.deepEqual(pages.flatMap((p) => p.items).map((p) => `${p.account}#${p.seq}`), all.map((p) => `${p.account}#${p.seq}`));

  const backing = new ClientFundsBacking(await loadClientFunds(db));
  t.is(backing.of('AED').toFixed(2), '60.00');
  const tokens = new Tokens({ journal, backing });
  const minter = new PayInMinter(tokens, outbox, { isClientFunds: (a) => backing.isClientFunds(a), pageSize: 4 });
  t.deepEqual(await minter.catchUp(), { minted: 6, duplicate: 0, rejected: 0, retry: 0 });
  t.deepEqual(await outbox.unminted(null, 100), { items: [], next: null });
  t.deepEqual(await minter.catchUp(), { minted: 0, duplicate: 0, rejected: 0, retry: 0 });
  t.is(tokens.ledger('AED')!.state!.outstanding.toFixed(2), '60.00');
  t.deepEqual(await journaledTokenLedgers(db), ['AED']);
  await minter.stop();
  await tokens.stop();
  await journal.close();
});
