// Goal: the watched inbox takes every finished file exactly when it may, and its move is the
// acknowledgement: processed/ only after the effect is durable, rejected/ after the dead letter,
// in place after a nak or a crash (so the next start takes it again, and duplicates change
// nothing). Method: InboxSource alone on a temp directory with short poll and quiet times (names
// that look unfinished, a nak, a file replaced while in flight, a directory rescan without
// fs.watch); then the real service on PGlite with the default inbox in its data directory,
// checked through the HTTP API and the file system.

import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type Service } from '../../../adapters/service.ts';
import { InboxSource, type InboxOptions } from '../../../streams/ingest/inbox.ts';
import type { Delivery } from '../../../streams/source.ts';
import { camt054 } from './camt.ts';

function tempDir(t: { teardown(f: () => void): void }, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `deltran-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes beside the inbox, then renames into it: how a well-behaved writer drops a file. */
function drop(dir: string, name: string, content: string): void {
  const tmp = join(dir, `.${name}.writing`);
  writeFileSync(tmp, content);
  renameSync(tmp, join(dir, name));
}

/** Makes a file look old enough to be taken at once. */
function age(path: string): void {
  const past = new Date(Date.now() - 60_000);
  utimesSync(path, past, past);
}

async function next(it: AsyncIterator<Delivery>, ms = 5_000): Promise<Delivery> {
  const r = await Promise.race([it.next(), new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), ms))]);
  if (r === 'timeout') throw new Error(`no delivery within ${ms} ms`);
  if (r.done === true) throw new Error('source ended');
  return r.value;
}

async function nothingWithin(it: AsyncIterator<Delivery>, ms: number): Promise<{ pending: Promise<IteratorResult<Delivery>> } | Delivery> {
  const pending = it.next();
  const r = await Promise.race([pending, new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), ms))]);
  return r === 'timeout' ? { pending } : (r as IteratorResult<Delivery>).value;
}

const FAST: InboxOptions = { pollMs: 100, quietMs: 50, retryMs: 100 };

test('finished files are taken oldest first; unfinished names and subfolders are not', async (t) => {
  const dir = tempDir(t, 'inbox');
  const source = await InboxSource.open(dir, FAST);
  t.teardown(() => source.close());
  for (const name of ['.hidden.xml', 'a.xml.tmp', 'b.part', 'c.partial', 'd.xml~', 'e.crdownload']) writeFileSync(join(dir, name), 'x');
  writeFileSync(join(dir, 'second.xml'), 'two');
  writeFileSync(join(dir, 'first.xml'), 'one');
  utimesSync(join(dir, 'first.xml'), new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
  age(join(dir, 'second.xml'));
  writeFileSync(join(source.processedDir, 'old.xml'), 'already done');
  const it = source[Symbol.asyncIterator]();
  const a = await next(it);
  const b = await next(it);
  t.deepEqual([a.source, b.source], [`${source.name}/first.xml`, `${source.name}/second.xml`]);
  t.is(new TextDecoder().decode(a.data), 'one');
  t.is(source.unsettled, 2);
  await a.settle('ack');
  await b.settle('term');
  t.deepEqual(readdirSync(source.processedDir).sort(), ['first.xml', 'old.xml']);
  t.deepEqual(readdirSync(source.rejectedDir), ['second.xml']);
  const rest = await nothingWithin(it, 500);
  t.true('pending' in rest, 'nothing else is taken');
  t.deepEqual(readdirSync(dir).filter((n) => n.includes('.') && !n.startsWith('.')).sort(), ['a.xml.tmp', 'b.part', 'c.partial', 'd.xml~', 'e.crdownload']);
  await source.close();
  if ('pending' in rest) t.true((await rest.pending).done, 'close ends a waiting iteration');
});

test('a file is left alone until it has been quiet; a nak leaves it in place and retakes it after the delay', async (t) => {
  const dir = tempDir(t, 'inbox');
  const source = await InboxSource.open(dir, { ...FAST, quietMs: 700 });
  t.teardown(() => source.close());
  const it = source[Symbol.asyncIterator]();
  const started = Date.now();
  drop(dir, 'n.xml', 'nak me');
  const first = await next(it);
  t.true(Date.now() - started >= 600, `taken after ${Date.now() - started} ms, quiet time 700`);
  await first.settle({ nak: 400 });
  t.true(existsSync(join(dir, 'n.xml')), 'still in the inbox');
  const naked = Date.now();
  const again = await next(it);
  t.true(Date.now() - naked >= 350, `retaken after ${Date.now() - naked} ms, nak 400`);
  t.is(again.id, first.id, 'same bytes, same delivery id');
  await again.settle('ack');
  t.deepEqual(readdirSync(source.processedDir), ['n.xml']);
});

test('without fs.watch the rescan finds files; same name twice never overwrites; a file replaced in flight stays', async (t) => {
  const dir = tempDir(t, 'inbox');
  const source = await InboxSource.open(dir, { ...FAST, watch: false, maxUnsettled: 1 });
  t.teardown(() => source.close());
  const it = source[Symbol.asyncIterator]();
  drop(dir, 'same.xml', 'version 1');
  age(join(dir, 'same.xml'));
  const v1 = await next(it);
  await v1.settle('ack');
  drop(dir, 'same.xml', 'version 2');
  age(join(dir, 'same.xml'));
  const v2 = await next(it);
  await v2.settle('ack');
  const processed = readdirSync(source.processedDir).sort();
  t.is(processed.length, 2);
  t.true(processed.includes('same.xml'));
  t.regex(processed.find((n) => n !== 'same.xml')!, /^same\.[0-9a-f]{12}\.xml$/);

  drop(dir, 'swap.xml', 'old content');
  age(join(dir, 'swap.xml'));
  const old = await next(it);
  drop(dir, 'swap.xml', 'new content, written while the old one was in flight');
  await old.settle('ack');
  t.true(existsSync(join(dir, 'swap.xml')), 'the new file is not moved on the old one\'s ack');
  age(join(dir, 'swap.xml'));
  const fresh = await next(it);
  t.is(new TextDecoder().decode(fresh.data), 'new content, written while the old one was in flight');
  await fresh.settle('ack');
});

const IBAN = 'CH9300762011623852957';

async function openAccount(service: Service, bank: string): Promise<string> {
  const res = await service.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: {
    bank_id: 'UBSWCHZH', account_number: '11623852957', iban: IBAN, currency: 'CHF', country_code: 'CH',
    account_type: 'client_funds', ledger_balance: '0.00', bank_reported_balance: bank,
  } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().data.id as string;
}

async function until<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test.serial('the service ingests its inbox: processed after durable, rejected after the dead letter, a leftover at start, duplicates change nothing', async (t) => {
  const dataDir = tempDir(t, 'inbox-service');
  const inbox = join(dataDir, 'inbox');
  const start = () => startService({
    host: '127.0.0.1', port: 0, dataDir, databaseUrl: '', logger: false,
    intake: { natsUrl: false, redisUrl: false, inbox: FAST },
  });
  let service = await start();
  let id: string;
  try {
    id = await openAccount(service, '500.00');
    t.true(existsSync(inbox), 'the default inbox lives in DATA_DIR');
    const balance = async () => (await service.app.inject({ method: 'GET', url: `/api/v1/accounts/${id}` })).json().data.bank_reported_balance as string;
    const ntf = camt054('INBOX-1', [{ id: 'I1', iban: IBAN, entries: [
      { amount: '120.50', currency: 'CHF', direction: 'CRDT', ref: 'IR1' },
      { amount: '20.25', currency: 'CHF', direction: 'DBIT', ref: 'IR2' },
    ] }]);
    drop(inbox, 'ntf-1.xml', ntf);
    await until('balance', balance, (b) => b === '600.25');
    await until('processed', async () => readdirSync(join(inbox, 'processed')), (l) => l.includes('ntf-1.xml'));
    t.false(existsSync(join(inbox, 'ntf-1.xml')));

    // The same bytes under another name: taken, duplicates only, balance unchanged.
    drop(inbox, 'ntf-1-again.xml', ntf);
    await until('processed again', async () => readdirSync(join(inbox, 'processed')), (l) => l.includes('ntf-1-again.xml'));
    t.is(await balance(), '600.25');

    drop(inbox, 'broken.xml', '<Document><Unclosed>');
    await until('rejected', async () => readdirSync(join(inbox, 'rejected')), (l) => l.includes('broken.xml'));
    const letters = (await service.app.inject({ method: 'GET', url: '/api/v1/dead-letters' })).json().data as { source: string }[];
    t.is(letters[0]?.source, `inbox:${inbox}/broken.xml`);
  } finally {
    await service.stop();
  }

  // A file left in the inbox while deltran was down (or at a crash, before its move): taken at start.
  mkdirSync(inbox, { recursive: true });
  writeFileSync(join(inbox, 'while-down.xml'), camt054('INBOX-2', [{ id: 'I2', iban: IBAN, entries: [
    { amount: '9.75', currency: 'CHF', direction: 'CRDT', ref: 'IR3' },
  ] }]));
  // And one that was applied but not moved before a crash: a duplicate now.
  writeFileSync(join(inbox, 'applied-not-moved.xml'), camt054('INBOX-1', [{ id: 'I1', iban: IBAN, entries: [
    { amount: '120.50', currency: 'CHF', direction: 'CRDT', ref: 'IR1' },
    { amount: '20.25', currency: 'CHF', direction: 'DBIT', ref: 'IR2' },
  ] }]));
  service = await start();
  try {
    const balance = async () => (await service.app.inject({ method: 'GET', url: `/api/v1/accounts/${id}` })).json().data.bank_reported_balance as string;
    await until('both moved', async () => readdirSync(join(inbox, 'processed')), (l) => l.includes('while-down.xml') && l.includes('applied-not-moved.xml'));
    t.is(await balance(), '610.00');
    t.deepEqual(readdirSync(inbox).sort(), ['processed', 'rejected']);
  } finally {
    await service.stop();
  }
});
