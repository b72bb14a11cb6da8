// Goal: the ingestion pipeline turns deliveries into exact, durable bank balances, and keeps them
// exact under everything at-least-once delivery does: redelivery of every message, a bank reusing a
// MsgId, NOTPROVIDED references, a malformed message among good ones, entries for unknown accounts,
// and a journal that fails before or after committing. Method: small camt.054 messages built
// inline plus a real camt.053 sample, through `ingest()` / `ingestDelivery()` into account actors
// over PGlite in memory; expected balances are summed independently with BigNumber from the
// entries the test wrote (for the sample, from the figures the parse test also asserts).

import test from 'ava';
import BigNumber from 'bignumber.js';
import { readFileSync } from 'node:fs';
import { lastValueFrom, toArray } from 'rxjs';
import { Accounts } from '../../../actors/account/actor.ts';
import { accountActorId } from '../../../actors/account/model.ts';
import type { Journal } from '../../../actors/journal.ts';
import { openDatabase, type Database } from '../../../adapters/db/database.ts';
import { DeadLetters } from '../../../adapters/db/dead-letters.ts';
import { GroupCommitter } from '../../../adapters/db/group-commit.ts';
import { PgJournal } from '../../../adapters/db/journal.ts';
import { migrate } from '../../../adapters/db/migrate.ts';
import { JournalRecordedEntries } from '../../../adapters/db/statement-queries.ts';
import { ingest, ingestDelivery, nakDelay, type IngestReport } from '../../../streams/ingest/pipeline.ts';
import { FlakyJournal } from '../../actors/runtime/support.ts';
import { sample } from '../../helpers/shared.ts';
import { camt053, camt054, type TestReport } from './camt.ts';
import { bankOf, delivery, expectedBank, listSource, open, ref } from './support.ts';

let dbPromise: Promise<Database> | null = null;
function database(): Promise<Database> {
  dbPromise ??= openDatabase({ dataDir: 'memory://' }).then(async (db) => (await migrate(db), db));
  return dbPromise;
}
test.after.always(async () => {
  if (dbPromise !== null) await (await dbPromise).close();
});

async function runtime(wrap: (j: Journal) => Journal = (j) => j) {
  const db = await database();
  const journal = new GroupCommitter(new PgJournal(db));
  const accounts = new Accounts({ journal: wrap(journal), shards: 4 });
  const deadLetters = new DeadLetters(db);
  const statements = new JournalRecordedEntries(db);
  return { db, accounts, deadLetters, options: { accounts, deadLetters, statements, concurrency: 4, nakDelayMs: 50 }, stop: async () => { await accounts.stop(); await journal.close(); } };
}

const tally = (reports: readonly IngestReport[]) => {
  const out: Record<string, number> = {};
  for (const r of reports) out[r.verdict] = (out[r.verdict] ?? 0) + 1;
  return out;
};

const A = 'DE89370400440532013000';
const B = 'GB82WEST12345698765432';
const SAMPLE_IBAN = 'DE62210500001234567890';

test.serial('camt.054 and a real camt.053 to exact balances; redelivering everything changes nothing', async (t) => {
  const rt = await runtime();
  for (const r of [ref(A, 'EUR'), ref(A, 'USD'), ref(B, 'EUR')]) await open(rt.accounts, r, '1000.00');
  await open(rt.accounts, ref(SAMPLE_IBAN, 'EUR'), '5000.00');

  const m1: TestReport[] = [
    { id: 'N1', iban: A, entries: [
      { amount: '100.10', currency: 'EUR', direction: 'CRDT', ref: 'R1' },
      { amount: '40.05', currency: 'EUR', direction: 'DBIT', ref: 'R2' },
      { amount: '7.00', currency: 'USD', direction: 'CRDT', ref: 'R3' },
      { amount: '999.00', currency: 'EUR', direction: 'CRDT', ref: 'R4', status: 'PDNG' },
    ] },
    { id: 'N2', iban: B, entries: [{ amount: '0.01', currency: 'EUR', direction: 'CRDT', ref: 'R1' }] },
  ];
  // No reference, NOTPROVIDED twice: the position keeps them apart.
  const m2: TestReport[] = [{ id: 'N1', iban: A, entries: [
    { amount: '1.11', currency: 'EUR', direction: 'CRDT' },
    { amount: '2.22', currency: 'EUR', direction: 'CRDT', ref: 'NOTPROVIDED' },
    { amount: '2.22', currency: 'EUR', direction: 'CRDT', ref: 'NOTPROVIDED' },
  ] }];
  // The bank reuses MsgId M1 and Ntfctn Id N1 on another day: different entries, different refs.
  const m3: TestReport[] = [{ id: 'N1', iban: A, entries: [
    { amount: '500.00', currency: 'EUR', direction: 'DBIT', ref: 'R9' },
    { amount: '3.30', currency: 'USD', direction: 'DBIT', ref: 'R10' },
  ] }];
  const xmls = [camt054('M1', m1), camt054('M2', m2), camt054('M1', m3), readFileSync(sample('camt.053/dk-camt053-v02-gesamtbeispiel.xml'))];
  const openings = new Map([[A, 'EUR'], [A, 'USD'], [B, 'EUR']].map(([i, c]) => [accountActorId(ref(i!, c!)), '1000.00']));
  const want = expectedBank([...m1, ...m2, ...m3], openings);
  // The sample (PRCD 112.72, 7 booked entries: credits 259895.60, debits 101478.00, as
  // test/adapters/cli.test.ts asserts for `deltran parse`) is a statement: tier 3 sets the bank
  // figure to its closing balance, 112.72 + 259895.60 − 101478.00 = 158530.32, whatever the
  // account held before (5000.00), and books none of its entries (they are matched against
  // tier 1 instead). It is one ReconcileStatement, so it counts as one in the entry tallies.
  want.set(accountActorId(ref(SAMPLE_IBAN, 'EUR')), new BigNumber('112.72').plus('259895.60').minus('101478.00').toFixed());
  const entriesTotal = 5 + 3 + 2 + 1;

  const first = xmls.map((x) => delivery(x));
  const reports = await lastValueFrom(ingest(listSource(first), rt.options).pipe(toArray()));
  t.deepEqual(tally(reports), { applied: 4 });
  t.deepEqual(first.map((d) => d.outcomes), [['ack'], ['ack'], ['ack'], ['ack']]);
  t.is(reports.reduce((n, r) => n + r.entries.appended, 0), entriesTotal);
  t.deepEqual(bankOf(rt.accounts, want.keys()), want);
  // The PDNG entry moved nothing but is tracked.
  const a = rt.accounts.state(accountActorId(ref(A, 'EUR')))?.state;
  t.is(a?.status === 'open' ? a.pending.size : -1, 1);

  // Redelivery of everything, to the live runtime, then to a fresh one recovering from the journal.
  for (const accounts of [rt.accounts, null]) {
    const fresh = accounts === null ? await runtime() : null;
    const options = fresh?.options ?? rt.options;
    const again = xmls.map((x) => delivery(x, 2));
    const reports2 = await lastValueFrom(ingest(listSource(again), options).pipe(toArray()));
    t.deepEqual(tally(reports2), { duplicate: 4 });
    t.is(reports2.reduce((n, r) => n + r.entries.duplicate, 0), entriesTotal);
    t.deepEqual(again.map((d) => d.outcomes), [['ack'], ['ack'], ['ack'], ['ack']]);
    t.deepEqual(bankOf(options.accounts, want.keys()), want);
    await fresh?.stop();
  }
  await rt.stop();
});

test.serial('the same bookings as camt.054 and then in the camt.053: the bank balance is the closing, not doubled', async (t) => {
  // The bug this guards: a bank notifies each booking (camt.054) and then sends the day's
  // statement with the same bookings under another MsgId. Booking the statement's entries again
  // doubled them. Now the statement matches them (3 of 3, no discrepancy) and sets its closing.
  const rt = await runtime();
  const iban = 'FR7630006000011234567890189';
  const actor = accountActorId(ref(iban, 'EUR'));
  await open(rt.accounts, ref(iban, 'EUR'), '1000.00');
  const entries = [
    { amount: '250.00', currency: 'EUR', direction: 'CRDT' as const, ref: 'B1' },
    { amount: '40.50', currency: 'EUR', direction: 'DBIT' as const, ref: 'B2' },
    { amount: '9.50', currency: 'EUR', direction: 'CRDT' as const, ref: 'B3' },
  ];
  for (const [i, e] of entries.entries()) t.is((await ingestDelivery(delivery(camt054(`NTF-${i}`, [{ id: 'N', iban, entries: [e] }])), rt.options)).verdict, 'applied');
  t.deepEqual(bankOf(rt.accounts, [actor]), new Map([[actor, '1219']]));
  const statement = camt053('STMT-1', [{ id: 'S1', iban, seq: '1', date: '2024-05-01', currency: 'EUR', opening: '1000.00', closing: '1219.00', entries }]);
  const r = await ingestDelivery(delivery(statement), rt.options);
  t.is(r.verdict, 'applied');
  t.deepEqual(r.entries, { appended: 1, duplicate: 0, rejected: 0, retry: 0 });
  t.deepEqual(bankOf(rt.accounts, [actor]), new Map([[actor, '1219']]), 'the closing balance, not 1000 + 2 × 219');
  const { rows } = await rt.db.query<{ payload: { matched: number; discrepancies: unknown[] } }>(
    `SELECT payload FROM journal WHERE actor = $1 AND type = 'StatementReconciled'`, [actor]);
  t.is(rows[0]?.payload.matched, 3);
  t.deepEqual(rows[0]?.payload.discrepancies, []);
  // Redelivered, and sent again as a COPY: nothing changes.
  t.is((await ingestDelivery(delivery(statement, 2), rt.options)).verdict, 'duplicate');
  const copy = camt053('STMT-1-COPY', [{ id: 'S1', iban, seq: '1', date: '2024-05-01', currency: 'EUR', opening: '1000.00', closing: '1219.00', entries, copy: 'COPY' }]);
  t.is((await ingestDelivery(delivery(copy), rt.options)).verdict, 'duplicate');
  const count = await rt.db.query<{ n: string }>(`SELECT count(*) AS n FROM journal WHERE actor = $1`, [actor]);
  t.is(Number(count.rows[0]!.n), 5, 'opening, three bookings, one statement');
  // An account that only ever gets statements ends with the bank's figure (the closing).
  const only = 'IT60X0542811101000000123456';
  await open(rt.accounts, ref(only, 'EUR'), '0');
  await ingestDelivery(delivery(camt053('STMT-2', [{ id: 'S2', iban: only, seq: '7', date: '2024-05-01', currency: 'EUR', opening: '10.00', closing: '15.25', entries: [{ amount: '5.25', currency: 'EUR', direction: 'CRDT', ref: 'X' }] }])), rt.options);
  t.deepEqual(bankOf(rt.accounts, [accountActorId(ref(only, 'EUR'))]), new Map([[accountActorId(ref(only, 'EUR')), '15.25']]));
  await rt.stop();
});

test.serial('a malformed message is dead-lettered with its bytes and code before its term; the next one is applied', async (t) => {
  const rt = await runtime();
  const iban = 'CH9300762011623852957';
  await open(rt.accounts, ref(iban, 'CHF'));
  const bad = delivery(camt054('BAD1', [{ id: 'N', iban, entries: [{ amount: '1.00', currency: 'CHF', direction: 'CRDT', ref: 'X' }] }]).slice(0, -40));
  const good = delivery(camt054('GOOD1', [{ id: 'N', iban, entries: [{ amount: '12.34', currency: 'CHF', direction: 'CRDT', ref: 'X' }] }]));
  // The term must come after the dead letter is durable: check it from inside settle.
  let deadLettersAtTerm = -1;
  const settle = bad.settle;
  const watched = { ...bad, settle: async (o: Parameters<typeof settle>[0]) => {
    deadLettersAtTerm = (await rt.deadLetters.list({ limit: 1000 })).filter((d) => d.source === bad.source).length;
    return settle(o);
  } };
  const reports = await lastValueFrom(ingest(listSource([watched, good]), rt.options).pipe(toArray()));
  const badReport = reports.find((r) => r.id === bad.id)!;
  t.is(badReport.verdict, 'dead_lettered');
  t.deepEqual(bad.outcomes, ['term']);
  t.is(deadLettersAtTerm, 1);
  t.true(badReport.codes.includes('XML_MALFORMED'), badReport.codes.join());
  const letter = await rt.deadLetters.get(badReport.deadLetterId!);
  t.deepEqual(letter?.raw, bad.data);
  t.is(letter?.source, bad.source);
  t.true((letter?.errors as { code: string }[]).some((e) => e.code === 'XML_MALFORMED'));
  t.deepEqual(good.outcomes, ['ack']);
  t.deepEqual(bankOf(rt.accounts, [accountActorId(ref(iban, 'CHF'))]), new Map([[accountActorId(ref(iban, 'CHF')), '12.34']]));
  await rt.stop();
});

test.serial('entries for unknown accounts are rejected into one dead letter; the rest of the message is applied', async (t) => {
  const rt = await runtime();
  const known = 'NL91ABNA0417164300';
  await open(rt.accounts, ref(known, 'EUR'));
  const d = delivery(camt054('REJ1', [
    { id: 'N1', iban: known, entries: [
      { amount: '5.00', currency: 'EUR', direction: 'CRDT', ref: 'K1' },
      { amount: '6.00', currency: 'GBP', direction: 'CRDT', ref: 'K2' }, // no GBP account under this IBAN
    ] },
    { id: 'N2', iban: 'FR1420041010050500013M02606', entries: [{ amount: '7.00', currency: 'EUR', direction: 'CRDT', ref: 'U1' }] },
  ]));
  const r = await ingestDelivery(d, rt.options);
  t.is(r.verdict, 'applied');
  t.deepEqual(d.outcomes, ['ack']);
  t.deepEqual(r.entries, { appended: 1, duplicate: 0, rejected: 2, retry: 0 });
  t.deepEqual(r.codes, ['ACCOUNT_NOT_OPEN']);
  const letter = await rt.deadLetters.get(r.deadLetterId!);
  t.deepEqual(letter?.raw, d.data);
  t.deepEqual((letter?.errors as { path: string }[]).map((e) => e.path).sort(), ['Ntfctn[0]/Ntry[1]', 'Ntfctn[1]/Ntry[0]']);
  t.deepEqual(bankOf(rt.accounts, [accountActorId(ref(known, 'EUR'))]), new Map([[accountActorId(ref(known, 'EUR')), '5']]));
  await rt.stop();
});

test('nak backoff doubles per delivery, capped at 30 s (or the base when larger)', (t) => {
  t.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => nakDelay(1_000, n)), [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  t.is(nakDelay(1_000, 0), 1_000);
  t.is(nakDelay(1_000, 1_000_000), 30_000);
  t.is(nakDelay(60_000, 3), 60_000);
});

test.serial('a transient journal failure naks the delivery; the redelivery applies it once', async (t) => {
  let flaky: FlakyJournal | null = null;
  const rt = await runtime((j) => (flaky = new FlakyJournal(j)));
  const iban = 'BE68539007547034';
  const actor = accountActorId(ref(iban, 'EUR'));
  await open(rt.accounts, ref(iban, 'EUR'), '10.00');
  const reports: TestReport[] = [{ id: 'N1', iban, entries: [
    { amount: '1.00', currency: 'EUR', direction: 'CRDT', ref: 'F1' },
    { amount: '2.00', currency: 'EUR', direction: 'CRDT', ref: 'F2' },
  ] }];
  const xml = camt054('FLAKY1', reports);
  const want = expectedBank(reports, new Map([[actor, '10.00']]));

  // Fails before writing anything.
  flaky!.appends = 'before';
  const d1 = delivery(xml);
  const r1 = await ingestDelivery(d1, rt.options);
  t.is(r1.verdict, 'retry');
  t.deepEqual(d1.outcomes, [{ nak: 50 }]);
  t.true(r1.codes.includes('JOURNAL_FAILED'), r1.codes.join());
  t.deepEqual(bankOf(rt.accounts, [actor]), new Map([[actor, '10']]));

  // Commits, then the answer is lost: the nak'ed message is in the journal already.
  flaky!.appends = 'after';
  const d2 = delivery(xml, 2);
  t.is((await ingestDelivery(d2, rt.options)).verdict, 'retry');
  // The second delivery waits twice as long as the first (backoff).
  t.deepEqual(d2.outcomes, [{ nak: 100 }]);

  flaky!.appends = 'ok';
  const d3 = delivery(xml, 3);
  const r3 = await ingestDelivery(d3, rt.options);
  t.deepEqual(d3.outcomes, ['ack']);
  // Both entries were committed by the second attempt: the third finds them as duplicates.
  t.is(r3.verdict, 'duplicate');
  t.deepEqual(r3.entries, { appended: 0, duplicate: 2, rejected: 0, retry: 0 });
  t.deepEqual(bankOf(rt.accounts, [actor]), want);
  const { rows } = await rt.db.query<{ n: string }>(`SELECT count(*) AS n FROM journal WHERE actor = $1`, [actor]);
  t.is(Number(rows[0]!.n), 3, 'the opening and two entries, once each');
  await rt.stop();
});

test.serial('other message types are acknowledged as unrouted', async (t) => {
  const rt = await runtime();
  const d = delivery(readFileSync(sample('pacs.008/fedwire-pacs008-v08-variation5-fx-charges.xml')));
  const r = await ingestDelivery(d, rt.options);
  t.is(r.verdict, 'unrouted');
  t.deepEqual(d.outcomes, ['ack']);
  t.like(r.messages[0], { type: 'pacs.008', routed: false });
  await rt.stop();
});
