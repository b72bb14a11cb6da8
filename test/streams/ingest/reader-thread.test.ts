// The reader thread may only make the common case cheaper: on every file of the shared corpus the
// pipeline must send the same commands, in the same order, and settle with the same report, whether
// a delivery was read on the main thread or planned on the worker. Plus: plans survive the trip
// between threads exactly, deliveries keep their order, and a worker that dies loses nothing.

import test from 'ava';
import BigNumber from 'bignumber.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccountOutcome } from '../../../actors/account/actor.ts';
import type { AccountCommand } from '../../../actors/account/commands.ts';
import { decodePlan, encodePlan, planNotifications, READ_OPTIONS } from '../../../streams/ingest/notification-plan.ts';
import { ingest, ingestDelivery, type IngestOptions, type IngestReport } from '../../../streams/ingest/pipeline.ts';
import { ReaderThread } from '../../../streams/ingest/reader-thread.ts';
import { readBuffer } from '../../../streams/iso20022/reader.ts';
import { SAMPLES } from '../../helpers/shared.ts';
import { camt053, camt054 } from './camt.ts';
import { delivery, listSource } from './support.ts';

const files = readdirSync(SAMPLES).flatMap((dir) => readdirSync(join(SAMPLES, dir)).map((f) => join(dir, f)));

/** A command as comparable text: BigNumbers as their digits (and proven to be BigNumbers). */
function comparable(command: AccountCommand): string {
  return JSON.stringify(command, (_k, v: unknown) => {
    if (BigNumber.isBigNumber(v)) {
      if (!(v instanceof BigNumber)) throw new Error('a plain object passed for a BigNumber');
      return `BN:${v.toFixed()}`;
    }
    return v;
  });
}

/** Accounts that record what they are sent and answer 'appended', except ids ending in `R` (rejected). */
function recordingAccounts() {
  const sent: string[] = [];
  return {
    sent,
    port: {
      send: async (accountId: string, command: AccountCommand): Promise<AccountOutcome> => {
        sent.push(`${accountId} ${comparable(command)}`);
        return { status: 'appended', seq: sent.length, events: [] } as unknown as AccountOutcome;
      },
    },
  };
}

function options(accounts: IngestOptions['accounts'], reader?: ReaderThread): IngestOptions {
  let letters = 0;
  return { accounts, deadLetters: { record: async () => `dl-${++letters}` }, reader };
}

/** The report without what differs per run by design (nothing should). */
const reportOf = (r: IngestReport): unknown => JSON.parse(JSON.stringify(r));

test('every corpus file: the same sends and the same report with and without the reader thread', async (t) => {
  const reader = new ReaderThread();
  const problems: string[] = [];
  reader.onProblem = (what) => problems.push(what);
  try {
    let planned = 0;
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(join(SAMPLES, file)));
      const main = recordingAccounts();
      const threaded = recordingAccounts();
      const a = await ingestDelivery(delivery(bytes), options(main.port));
      const before = reader.stats.planned;
      const b = await ingestDelivery(delivery(bytes), options(threaded.port, reader));
      planned += reader.stats.planned - before;
      t.deepEqual(threaded.sent, main.sent, file);
      t.deepEqual(reportOf(b), reportOf(a), file);
    }
    // The corpus holds valid camt.054 files: the worker planned them (the rest fell back).
    t.true(planned >= 10, `${planned} deliveries planned on the worker`);
    t.deepEqual(problems, []);
  } finally {
    await reader.close();
  }
});

test('a plan crosses threads exactly: amounts are BigNumbers again, every digit kept', (t) => {
  const xml = camt054('PLAN-1', [{
    id: 'N1', iban: 'DE89370400440532013000',
    entries: [
      { amount: '1234567890123456.78', currency: 'EUR', direction: 'CRDT', ref: 'A1', e2e: 'E2E-1' },
      { amount: '0.10', currency: 'EUR', direction: 'DBIT', ref: 'A2' },
      { amount: '5', currency: 'JPY', direction: 'CRDT', status: 'PDNG' },
    ],
  }]);
  const plan = planNotifications(readBuffer(new TextEncoder().encode(xml), READ_OPTIONS));
  if (plan === null) return t.fail('not planned');
  const back = decodePlan(structuredClone(encodePlan(plan)));
  t.is(back.entries.length, 3);
  t.deepEqual(back.entries.map((e) => comparable(e.command)), plan.entries.map((e) => comparable(e.command)));
  t.deepEqual(back.entries.map((e) => [e.accountId, e.messageId, e.path]), plan.entries.map((e) => [e.accountId, e.messageId, e.path]));
  t.true(back.entries[0]!.command.entry.amount.isEqualTo('1234567890123456.78'));
  t.is(back.entries[1]!.command.entry.amount.decimalPlaces(), 1);
  t.deepEqual(back.messages, plan.messages);
});

test('only deliveries of valid camt.054 are planned', (t) => {
  const read = (xml: string) => readBuffer(new TextEncoder().encode(xml), READ_OPTIONS);
  const statement = camt053('S-1', [{ id: 'S1', iban: 'DE89370400440532013000', date: '2024-05-01', opening: '0', closing: '1.00', currency: 'EUR', entries: [{ amount: '1.00', currency: 'EUR', direction: 'CRDT' }] }]);
  t.is(planNotifications(read(statement)), null);
  t.is(planNotifications([]), null);
  t.is(planNotifications(read('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn/></Document>')), null);
  t.not(planNotifications(read(camt054('OK-1', [{ id: 'N1', iban: 'DE89370400440532013000', entries: [{ amount: '1.00', currency: 'EUR', direction: 'CRDT' }] }]))), null);
});

test('deliveries reach the actors in the order they came, with many in flight', async (t) => {
  const reader = new ReaderThread();
  const accounts = recordingAccounts();
  const deliveries = Array.from({ length: 300 }, (_, i) =>
    delivery(i % 7 === 3
      // Some read on the main thread (statements), so both paths interleave.
      ? camt053(`ORD-S${i}`, [{ id: `S${i}`, iban: 'DE89370400440532013000', date: '2024-05-01', opening: '0', closing: '0', currency: 'EUR', copy: 'COPY', entries: [] }])
      : camt054(`ORD-${i}`, [{ id: `N${i}`, iban: 'DE89370400440532013000', entries: [{ amount: `${i}.00`, currency: 'EUR', direction: 'CRDT', ref: `R${i}` }] }])));
  try {
    const reports = await new Promise<IngestReport[]>((resolve, reject) => {
      const out: IngestReport[] = [];
      ingest(listSource(deliveries), { ...options(accounts.port, reader), concurrency: 64 }).subscribe({ next: (r) => out.push(r), error: reject, complete: () => resolve(out) });
    });
    t.is(reports.length, 300);
    const refs = accounts.sent.map((s) => /"key":"(R\d+)"/.exec(s)?.[1]).filter((r) => r !== undefined);
    const expected = deliveries.map((_, i) => i).filter((i) => i % 7 !== 3).map((i) => `R${i}`);
    t.deepEqual(refs, expected);
    t.true(reader.stats.planned >= expected.length);
  } finally {
    await reader.close();
  }
});

test('a worker that dies: its deliveries are read on the main thread, nothing is lost', async (t) => {
  const reader = new ReaderThread();
  const problems: string[] = [];
  reader.onProblem = (what) => problems.push(what);
  const accounts = recordingAccounts();
  const xml = (i: number) => camt054(`DIE-${i}`, [{ id: `N${i}`, iban: 'DE89370400440532013000', entries: [{ amount: '1.00', currency: 'EUR', direction: 'CRDT', ref: `D${i}` }] }]);
  try {
    const first = await ingestDelivery(delivery(xml(0)), options(accounts.port, reader));
    t.is(first.verdict, 'applied');
    t.is(reader.stats.planned, 1);
    // Kill it while deliveries wait for it.
    const pending = Array.from({ length: 20 }, (_, i) => ingestDelivery(delivery(xml(i + 1)), options(accounts.port, reader)));
    await (reader as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const reports = await Promise.all(pending);
    t.true(reports.every((r) => r.verdict === 'applied'));
    // And a new worker takes the next ones.
    const later = await ingestDelivery(delivery(xml(99)), options(accounts.port, reader));
    t.is(later.verdict, 'applied');
    t.is(accounts.sent.length, 22);
    t.deepEqual(accounts.sent.map((s) => /"key":"(D\d+)"/.exec(s)?.[1]), [0, ...Array.from({ length: 20 }, (_, i) => i + 1), 99].map((i) => `D${i}`));
    t.is(reader.stats.workerDeaths, 1);
    t.true(problems.some((p) => p.includes('died')));
  } finally {
    await reader.close();
  }
});
