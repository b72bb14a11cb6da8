// Goal: the token actor (actors/tokens/actor.ts) keeps the 1:1 rule and the journal's truth under
// everything the wiring can do to it. Method: (1) a property test over random mint, burn,
// transfer, convert, funding and redelivery sequences through the real facade, first on an
// in-memory journal (many runs), then on PGlite and PostgreSQL through the GroupCommitter (fewer
// runs): after every step, outstanding ≤ backing and Σ balances = outstanding in every ledger; a
// redelivered applied message is a duplicate; a fresh actor recovering from the journal (tiny
// snapshots interval and applied window, so both paths are taken) holds identical ledgers.
// (2) Convert atomicity: both legs in one append; a failed write leaves neither; a reused id known
// to one ledger only appends nothing. (3) Duplicates across a restart, the mailbox bound.

import test from 'ava';
import fc from 'fast-check';
import BigNumber from 'bignumber.js';
import { Tokens, type TokenOutcome, type TokensRequest } from '../../actors/tokens/actor.ts';
import type { BackingPort } from '../../actors/tokens/backing.ts';
import { tokenStateCodec } from '../../actors/tokens/codec.ts';
import { balanceOf } from '../../actors/tokens/model.ts';
import type { AppendOutcome, Journal, PendingEvent } from '../../actors/journal.ts';
import { minorUnits, sum } from '../../actors/money.ts';
import { GroupCommitter } from '../../adapters/db/group-commit.ts';
import { PgJournal } from '../../adapters/db/journal.ts';
import { migrate } from '../../adapters/db/migrate.ts';
import { bothEngines } from '../adapters/db/engines.ts';
import { FlakyJournal, MemoryJournal } from './runtime/support.ts';

const CURRENCIES = ['AED', 'USD', 'JPY'] as const;
const PARTICIPANTS = ['BANKAEAA', 'BANKUS33', 'BANKJPJT'] as const;
const RATES = ['3.6725', '0.2723', '151.3', '0.0066', '1'] as const;
const d = (s: string) => new BigNumber(s);

/** A backing figure the test moves by hand (the service's comes from client_funds accounts). */
class TestBacking implements BackingPort {
  private readonly figures = new Map<string, BigNumber>();
  of(currency: string): BigNumber {
    return this.figures.get(currency) ?? d('0');
  }
  add(currency: string, amount: BigNumber): void {
    this.figures.set(currency, this.of(currency).plus(amount));
  }
}

type Op =
  | { readonly op: 'fund'; readonly ccy: number; readonly minor: number }
  | { readonly op: 'mint' | 'burn'; readonly ccy: number; readonly p: number; readonly minor: number }
  | { readonly op: 'transfer'; readonly ccy: number; readonly from: number; readonly to: number; readonly minor: number }
  | { readonly op: 'convert'; readonly p: number; readonly source: number; readonly target: number; readonly minor: number; readonly rate: number }
  | { readonly op: 'again'; readonly k: number };

const idx = (max: number) => fc.nat({ max });
// Mostly small amounts (so burns, transfers and conversions find balances), some large, some zero;
// funding is larger, so that many mints fit and some do not.
const minor = fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 2_000_000 }));
const funding = fc.integer({ min: 0, max: 5_000_000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('fund' as const), ccy: idx(2), minor: funding }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('mint' as const), ccy: idx(2), p: idx(2), minor }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('burn' as const), ccy: idx(2), p: idx(2), minor }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('transfer' as const), ccy: idx(2), from: idx(2), to: idx(2), minor }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('convert' as const), p: idx(2), source: idx(2), target: idx(2), minor, rate: idx(RATES.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('again' as const), k: fc.nat() }) },
);

/** An amount in minor units of the currency (JPY has none). */
function amount(minorUnitsCount: number, ccy: string): BigNumber {
  return new BigNumber(minorUnitsCount).shiftedBy(-(minorUnits(ccy) ?? 2));
}

function requestOf(op: Exclude<Op, { op: 'fund' | 'again' }>, messageId: string): TokensRequest {
  switch (op.op) {
    case 'mint': {
      const currency = CURRENCIES[op.ccy]!;
      return { type: 'Mint', messageId, participant: PARTICIPANTS[op.p]!, currency, amount: amount(op.minor, currency), source: { kind: 'OPERATOR', operator: 'test', reason: 'property' } };
    }
    case 'burn': {
      const currency = CURRENCIES[op.ccy]!;
      return { type: 'Burn', messageId, participant: PARTICIPANTS[op.p]!, currency, amount: amount(op.minor, currency), reference: 'r' };
    }
    case 'transfer': {
      const currency = CURRENCIES[op.ccy]!;
      return { type: 'Transfer', messageId, from: PARTICIPANTS[op.from]!, to: PARTICIPANTS[op.to]!, currency, amount: amount(op.minor, currency) };
    }
    case 'convert': {
      const sourceCurrency = CURRENCIES[op.source]!;
      return {
        type: 'Convert', messageId, participant: PARTICIPANTS[op.p]!, sourceCurrency, targetCurrency: CURRENCIES[op.target]!,
        amount: amount(op.minor, sourceCurrency), rate: d(RATES[op.rate]!), rateId: `test:${op.rate}`,
      };
    }
  }
}

function checkLedgers(tokens: Tokens, backing: BackingPort, step: string): void {
  for (const ccy of CURRENCIES) {
    const state = tokens.ledger(ccy)?.state;
    if (state === undefined || state === null) continue;
    const fiat = backing.of(ccy);
    if (state.outstanding.isGreaterThan(fiat)) throw new Error(`${step}: ${ccy} ${state.outstanding.toFixed()} outstanding over ${fiat.toFixed()} backing`);
    if (!sum(state.balances.values()).isEqualTo(state.outstanding)) throw new Error(`${step}: ${ccy} Σ balances ≠ outstanding`);
    for (const [p, b] of state.balances) if (!b.isGreaterThan(0)) throw new Error(`${step}: ${ccy} keeps ${p} at ${b.toFixed()}`);
  }
}

const OPTIONS = { snapshotEvery: 3, appliedIdsMax: 2 } as const;

/** Runs one sequence; throws (with the step) on the first broken property. */
async function runSequence(journal: Journal, ops: readonly Op[]): Promise<{ applied: number }> {
  const backing = new TestBacking();
  const tokens = new Tokens({ journal, backing, ...OPTIONS });
  const sent: { readonly request: TokensRequest; readonly outcome: TokenOutcome }[] = [];
  let applied = 0;
  try {
    for (const [i, op] of ops.entries()) {
      if (op.op === 'fund') {
        backing.add(CURRENCIES[op.ccy]!, amount(op.minor, CURRENCIES[op.ccy]!));
        continue;
      }
      if (op.op === 'again') {
        const earlier = sent[op.k % Math.max(sent.length, 1)];
        if (earlier === undefined) continue;
        const again = await tokens.send(earlier.request);
        if (earlier.outcome.status === 'appended' && again.status !== 'duplicate') {
          throw new Error(`step ${i}: redelivered ${earlier.request.messageId} came back ${again.status}`);
        }
        checkLedgers(tokens, backing, `step ${i} (again)`);
        continue;
      }
      const request = requestOf(op, `m${i}`);
      const outcome = await tokens.send(request);
      if (outcome.status !== 'appended' && outcome.status !== 'rejected') throw new Error(`step ${i}: ${JSON.stringify(outcome)}`);
      if (outcome.status === 'appended') applied++;
      sent.push({ request, outcome });
      checkLedgers(tokens, backing, `step ${i} ${op.op}`);
    }
    const live = new Map(CURRENCIES.map((c) => [c, tokens.ledger(c)?.state ?? null]));
    await tokens.stop();
    // A fresh actor, from snapshots and journal alone.
    const fresh = new Tokens({ journal, backing, ...OPTIONS });
    try {
      const loaded = await fresh.load(CURRENCIES);
      if (loaded.status !== 'appended') throw new Error(`recovery: ${JSON.stringify(loaded)}`);
      for (const c of CURRENCIES) {
        const before = live.get(c);
        const after = fresh.ledger(c)?.state;
        if (after === undefined || after === null) throw new Error(`recovery: ${c} not loaded`);
        if (before === null || before === undefined) {
          if (!after.outstanding.isZero()) throw new Error(`recovery: ${c} has tokens no one minted`);
          continue;
        }
        const [a, b] = [JSON.stringify(tokenStateCodec.encode(before)), JSON.stringify(tokenStateCodec.encode(after))];
        if (a !== b) throw new Error(`recovery: ${c} differs\nlive ${a}\nreplayed ${b}`);
      }
    } finally {
      await fresh.stop();
    }
  } finally {
    await tokens.stop();
  }
  return { applied };
}

const sequences = fc.array(opArb, { minLength: 1, maxLength: 60, size: 'max' });

test('property (memory journal): backing holds, Σ balances = outstanding, redelivery = once, replay = live', async (t) => {
  let applied = 0;
  await fc.assert(fc.asyncProperty(sequences, async (ops) => {
    applied += (await runSequence(new MemoryJournal(), ops)).applied;
  }), { numRuns: 150 });
  t.log(`${applied} operations applied over all runs`);
  // The generator must actually move tokens, or the property says nothing.
  t.true(applied > 500, `${applied} operations applied over all runs`);
});

bothEngines('property (journal on the database): the same, through the GroupCommitter', async (t, { db }) => {
  await migrate(db);
  let applied = 0;
  await fc.assert(fc.asyncProperty(sequences, async (ops) => {
    // One schema per test: each run starts from an empty journal.
    await db.exec('DELETE FROM journal; DELETE FROM snapshots;');
    const journal = new GroupCommitter(new PgJournal(db));
    try {
      applied += (await runSequence(journal, ops)).applied;
    } finally {
      await journal.close();
    }
  }), { numRuns: 30 });
  t.log(`${applied} operations applied`);
  t.true(applied > 40, `${applied} operations applied`);
});

/** Remembers every append call, so a test can see what went together. */
class SpyJournal extends MemoryJournal {
  readonly calls: (readonly PendingEvent[])[] = [];
  override async append(events: readonly PendingEvent[]): Promise<AppendOutcome[]> {
    this.calls.push(events);
    return super.append(events);
  }
}

const USD_TO_AED = (messageId: string, amountText = '1000.00'): TokensRequest => ({
  type: 'Convert', messageId, participant: 'BANKAEAA', sourceCurrency: 'USD', targetCurrency: 'AED',
  amount: d(amountText), rate: d('3.6725'), rateId: 'fx_rates:1',
});
const mint = (messageId: string, currency: string, amountText: string): TokensRequest => ({
  type: 'Mint', messageId, participant: 'BANKAEAA', currency, amount: d(amountText), source: { kind: 'OPERATOR', operator: 'test', reason: 'float' },
});

async function funded(journal: Journal, appliedIdsMax = 64): Promise<{ tokens: Tokens; backing: TestBacking }> {
  const backing = new TestBacking();
  backing.add('USD', d('1000.00'));
  backing.add('AED', d('3672.50'));
  const tokens = new Tokens({ journal, backing, appliedIdsMax });
  const minted = await tokens.send(mint('float-usd', 'USD', '1000.00'));
  if (minted.status !== 'appended') throw new Error(JSON.stringify(minted));
  return { tokens, backing };
}

test('convert: both legs in one journal append, under one message id', async (t) => {
  const journal = new SpyJournal();
  const { tokens } = await funded(journal);
  const outcome = await tokens.send(USD_TO_AED('fx-1'));
  t.is(outcome.status, 'appended');
  const last = journal.calls[journal.calls.length - 1]!;
  t.deepEqual(last.map((e) => [e.actor, e.seq, e.messageId, e.type]), [
    ['tokens:USD', 2, 'fx-1', 'TokensConvertedOut'],
    ['tokens:AED', 1, 'fx-1', 'TokensConvertedIn'],
  ]);
  t.is(tokens.ledger('USD')!.state!.outstanding.toFixed(), '0');
  t.is(balanceOf(tokens.ledger('AED')!.state!, 'BANKAEAA').toFixed(2), '3672.50');
  await tokens.stop();
});

test('convert: a target over its backing is refused whole; nothing is appended on either ledger', async (t) => {
  const journal = new SpyJournal();
  const backing = new TestBacking();
  backing.add('USD', d('1000.00'));
  // One cent short of 1000.00 × 3.6725.
  backing.add('AED', d('3672.49'));
  const tokens = new Tokens({ journal, backing });
  t.is((await tokens.send(mint('float-usd', 'USD', '1000.00'))).status, 'appended');
  const calls = journal.calls.length;
  t.like(await tokens.send(USD_TO_AED('fx-2')), { status: 'rejected', rejection: { code: 'BACKING_EXCEEDED' } });
  t.like(await tokens.send(USD_TO_AED('fx-3', '1000.01')), { status: 'rejected', rejection: { code: 'INSUFFICIENT_TOKENS' } });
  t.is(journal.calls.length, calls, 'no leg of a refused conversion reached the journal');
  t.is(tokens.ledger('USD')!.state!.outstanding.toFixed(2), '1000.00');
  t.is(tokens.ledger('AED')!.state!.outstanding.toFixed(), '0');
  backing.add('AED', d('0.01'));
  t.is((await tokens.send(USD_TO_AED('fx-2'))).status, 'appended', 'the backing read at decision time');
  await tokens.stop();
});

bothEngines('convert atomicity on the database: a failed write leaves neither leg; a lost answer leaves both, once', async (t, { db }) => {
  await migrate(db);
  const flaky = new FlakyJournal(new GroupCommitter(new PgJournal(db)));
  const { tokens } = await funded(flaky);
  const legs = async () => (await db.query<{ actor: string; seq: string }>(
    `SELECT actor, seq::text AS seq FROM journal WHERE message_id = 'fx-1' ORDER BY actor`)).rows.map((r) => `${r.actor}#${r.seq}`);

  flaky.appends = 'before';
  t.like(await tokens.send(USD_TO_AED('fx-1')), { status: 'retry', code: 'JOURNAL_FAILED' });
  t.deepEqual(await legs(), []);
  t.is(tokens.ledger('USD')!.state!.outstanding.toFixed(2), '1000.00', 'reloaded from the journal: unchanged');

  flaky.appends = 'after';
  t.like(await tokens.send(USD_TO_AED('fx-1')), { status: 'retry', code: 'JOURNAL_FAILED' });
  t.deepEqual(await legs(), ['tokens:AED#1', 'tokens:USD#2']);
  flaky.appends = 'ok';
  t.like(await tokens.send(USD_TO_AED('fx-1')), { status: 'duplicate' });
  t.deepEqual(await legs(), ['tokens:AED#1', 'tokens:USD#2']);
  t.is(tokens.ledger('USD')!.state!.outstanding.toFixed(), '0');
  t.is(tokens.ledger('AED')!.state!.outstanding.toFixed(2), '3672.50');
  await tokens.stop();
  await flaky.close();
});

test('convert: an id one ledger already journaled (outside its window) appends no leg at all', async (t) => {
  const journal = new SpyJournal();
  // A window of one id, so the earlier id is known to the journal only.
  const { tokens } = await funded(journal, 1);
  t.is((await tokens.send(mint('reused', 'AED', '10.00'))).status, 'appended');
  t.is((await tokens.send(mint('push-out', 'AED', '10.00'))).status, 'appended');
  const calls = journal.calls.length;
  t.like(await tokens.send(USD_TO_AED('reused', '1.00')), { status: 'duplicate' });
  t.is(journal.calls.length, calls, 'no append: the USD leg alone would have been half a conversion');
  t.is(tokens.ledger('USD')!.state!.outstanding.toFixed(2), '1000.00');
  await tokens.stop();
});

bothEngines('duplicates across a restart; unknown currencies refused before a ledger exists', async (t, { db }) => {
  await migrate(db);
  const journal = new GroupCommitter(new PgJournal(db));
  const backing = new TestBacking();
  backing.add('AED', d('500.00'));
  const first = new Tokens({ journal, backing, appliedIdsMax: 1 });
  t.is((await first.send(mint('a', 'AED', '100.00'))).status, 'appended');
  t.is((await first.send(mint('b', 'AED', '50.00'))).status, 'appended');
  t.is((await first.send(mint('a', 'AED', '100.00'))).status, 'duplicate', 'outside the window: the journal says so');
  t.like(await first.send(mint('x', 'XXZ', '1')), { status: 'rejected', rejection: { code: 'CURRENCY_UNKNOWN' } });
  t.is(first.ledger('XXZ'), undefined);
  await first.stop();

  const second = new Tokens({ journal, backing });
  t.is((await second.send(mint('b', 'AED', '50.00'))).status, 'duplicate');
  t.is(second.ledger('AED')!.state!.outstanding.toFixed(2), '150.00');
  t.is(second.ledger('AED')!.seq, 2);
  await second.stop();
  await journal.close();
});

test('the mailbox is bounded: beyond it a send settles mailbox_full and is not queued', async (t) => {
  const journal = new MemoryJournal();
  const backing = new TestBacking();
  backing.add('AED', d('1000'));
  const tokens = new Tokens({ journal, backing, mailboxDepthMax: 4 });
  const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => tokens.send(mint(`f${i}`, 'AED', '1.00'))));
  const byStatus = (s: string) => outcomes.filter((o) => o.status === s).length;
  t.is(byStatus('appended'), 4);
  t.is(byStatus('mailbox_full'), 36);
  t.is(tokens.ledger('AED')!.state!.outstanding.toFixed(2), '4.00');
  t.is(tokens.stats.mailboxFull, 36);
  await tokens.stop();
  t.is(tokens.tree().actors, 0, 'stopped: no actor left');
});
