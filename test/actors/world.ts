// A miniature of the wiring for property tests: accounts, token ledgers and corridors driven by
// world-level operations, with an in-memory journal that, like the real one, refuses a second
// event of the same (actor, messageId). It does what the nact layer will do: decide, append
// (dropping events the journal calls duplicates), then evolve; a booked pay-in triggers its mint
// with the backing read in the same step. Small applied windows (4) make sure redeliveries also
// take the journal path, not only the in-memory one.

import BigNumber from 'bignumber.js';
import { decideAccount } from '../../actors/account/decide.ts';
import { evolveAccount } from '../../actors/account/evolve.ts';
import { accountEventCodec, type AccountEvent } from '../../actors/account/events.ts';
import { ACCOUNT_LIMITS_DEFAULT, accountActorId, initialAccount, type AccountRef, type AccountState, type AccountType } from '../../actors/account/model.ts';
import type { AccountCommand } from '../../actors/account/commands.ts';
import { decideCorridor } from '../../actors/corridor/decide.ts';
import { evolveCorridor } from '../../actors/corridor/evolve.ts';
import { corridorEventCodec, type CorridorEvent } from '../../actors/corridor/events.ts';
import { corridorActorId, corridorKey, initialCorridor, type CorridorState } from '../../actors/corridor/model.ts';
import type { CorridorCommand } from '../../actors/corridor/commands.ts';
import { decideTokens } from '../../actors/tokens/decide.ts';
import { decideConvert } from '../../actors/tokens/convert.ts';
import { evolveTokens } from '../../actors/tokens/evolve.ts';
import { tokenEventCodec, type TokenEvent } from '../../actors/tokens/events.ts';
import { initialTokenLedger, payInMintId, tokenActorId, type TokenLedgerState } from '../../actors/tokens/model.ts';
import type { TokenCommand } from '../../actors/tokens/commands.ts';
import type { Decision } from '../../actors/decision.ts';
import { minorUnits, sum } from '../../actors/money.ts';

export const CURRENCIES = ['AED', 'USD', 'JPY'] as const;
export type Ccy = (typeof CURRENCIES)[number];
export const PARTICIPANTS = ['P0', 'P1', 'P2'] as const;
export const WINDOW = 4;
export const ACCOUNT_LIMITS = { ...ACCOUNT_LIMITS_DEFAULT, appliedIdsMax: WINDOW, pendingEntriesMax: 3, recentBookedMax: 2 };
const ACCOUNT_KINDS: readonly AccountType[] = ['client_funds', 'client_funds', 'settlement'];
export const CORRIDORS = [corridorKey('AED', 'INR', 'AE', 'IN'), corridorKey('USD', 'AED')] as const;

/** An amount in minor units, or (over) one digit too precise, to exercise AMOUNT_PRECISION. */
export interface Amt { readonly minor: number; readonly over: boolean }

export type Op =
  | { readonly op: 'expect'; readonly acct: number; readonly participant: number; readonly amount: Amt; readonly ref: number }
  | { readonly op: 'entry'; readonly acct: number; readonly status: 'BOOK' | 'PDNG' | 'INFO'; readonly credit: boolean; readonly reversal: boolean; readonly amount: Amt; readonly ref: number | null; readonly key: number }
  | { readonly op: 'mint'; readonly ccy: number; readonly participant: number; readonly amount: Amt }
  | { readonly op: 'burn'; readonly ccy: number; readonly participant: number; readonly amount: Amt }
  | { readonly op: 'transfer'; readonly ccy: number; readonly from: number; readonly to: number; readonly amount: Amt }
  | { readonly op: 'convert'; readonly participant: number; readonly source: number; readonly target: number; readonly amount: Amt; readonly rate: string }
  | { readonly op: 'debit'; readonly acct: number; readonly amount: Amt }
  | { readonly op: 'credit'; readonly acct: number; readonly amount: Amt }
  | { readonly op: 'breaker'; readonly ccy: number; readonly open: boolean }
  | { readonly op: 'bankBalance'; readonly acct: number; readonly amount: Amt }
  | { readonly op: 'obligation'; readonly corridor: number; readonly id: number; readonly payer: number; readonly payee: number; readonly amount: Amt }
  | { readonly op: 'close'; readonly corridor: number; readonly windowId: number };

/** An operation with its message identity: a redelivery is the same object again. */
export interface Message { readonly id: string; readonly op: Op }

type Kind = 'account' | 'tokens' | 'corridor';
export interface Journaled { readonly actor: string; readonly kind: Kind; readonly event: AccountEvent | TokenEvent | CorridorEvent }

export interface World {
  readonly accounts: Map<string, AccountState>;
  readonly refs: readonly AccountRef[];
  readonly tokens: Map<Ccy, TokenLedgerState>;
  readonly corridors: Map<string, CorridorState>;
  readonly journal: Journaled[];
  readonly seen: Set<string>;
  /** Per step: whether anything was journaled for that message. */
  readonly accepted: Set<string>;
  /** Called after every journaled batch, so invariants are checked at every step. */
  readonly onStep: (world: World, batch: readonly Journaled[]) => void;
}

export const codecs = { account: accountEventCodec, tokens: tokenEventCodec, corridor: corridorEventCodec } as const;

export function amountOf(a: Amt, ccy: string): BigNumber {
  const digits = minorUnits(ccy) ?? 2;
  return new BigNumber(a.minor).shiftedBy(-(digits + (a.over ? 1 : 0)));
}

export function newWorld(onStep: World['onStep'] = () => {}): World {
  const refs: AccountRef[] = [];
  for (const ccy of CURRENCIES) ACCOUNT_KINDS.forEach((_, i) => refs.push({ scheme: 'OTHER', id: `ACC${i}-${ccy}`, currency: ccy }));
  const world: World = {
    accounts: new Map(refs.map((r) => [accountActorId(r), initialAccount(ACCOUNT_LIMITS)])),
    refs,
    tokens: new Map(CURRENCIES.map((c) => [c, initialTokenLedger(c, WINDOW)])),
    corridors: new Map(CORRIDORS.map((k) => [corridorActorId(k), initialCorridor(k, { appliedIdsMax: WINDOW, obligationsPerWindowMax: 5 })])),
    journal: [], seen: new Set(), accepted: new Set(), onStep,
  };
  refs.forEach((ref, i) => {
    const accountType = ACCOUNT_KINDS[i % ACCOUNT_KINDS.length] ?? 'settlement';
    applyAccount(world, accountActorId(ref), { type: 'OpenAccount', messageId: `open-${i}`, ref, accountType, ledger: new BigNumber(0), bank: new BigNumber(0) });
  });
  return world;
}

/** Σ ledger of the client_funds accounts of a currency: the backing figure. */
export function clientFunds(world: World, ccy: string): BigNumber {
  const ledgers: BigNumber[] = [];
  for (const s of world.accounts.values()) if (s.status === 'open' && s.type === 'client_funds' && s.ref.currency === ccy) ledgers.push(s.ledger);
  return sum(ledgers);
}

/** Appends what the journal accepts (all or nothing per message and actor), returns it. */
function append(world: World, batch: readonly Journaled[]): Journaled[] {
  const fresh = batch.filter((j) => !world.seen.has(`${j.actor}|${j.event.messageId}`));
  // Both legs of a conversion were appended together, so the journal knows both or neither.
  if (fresh.length !== 0 && fresh.length !== batch.length) throw new Error('a batch was half known to the journal');
  for (const j of fresh) {
    world.seen.add(`${j.actor}|${j.event.messageId}`);
    world.journal.push(j);
    world.accepted.add(j.event.messageId);
  }
  return fresh;
}

function applyAccount(world: World, actor: string, command: AccountCommand): void {
  const state = world.accounts.get(actor);
  if (state === undefined) throw new Error(`no account ${actor}`);
  const decision = decideAccount(state, command);
  if ('rejection' in decision) return;
  const appended = append(world, decision.events.map((event) => ({ actor, kind: 'account' as const, event })));
  let next = state;
  for (const j of appended) next = evolveAccount(next, j.event as AccountEvent);
  world.accounts.set(actor, next);
  if (appended.length > 0) world.onStep(world, appended);
  for (const j of appended) if (j.event.type === 'PayInMatched') mintPayIn(world, actor, j.event);
}

function mintPayIn(world: World, account: string, event: Extract<AccountEvent, { type: 'PayInMatched' }>): void {
  const ccy = account.slice(account.lastIndexOf(':') + 1) as Ccy;
  applyTokens(world, ccy, {
    type: 'Mint', messageId: payInMintId(account, event.payIn.payInId), participant: event.payIn.participant, currency: ccy,
    amount: event.entry.amount, backingFiat: clientFunds(world, ccy),
    source: { kind: 'PAY_IN', account, payInId: event.payIn.payInId, amount: event.entry.amount, currency: ccy },
  });
}

function applyTokens(world: World, ccy: Ccy, command: TokenCommand): void {
  const state = world.tokens.get(ccy);
  if (state === undefined) throw new Error(`no ledger ${ccy}`);
  commit(world, decideTokens(state, command), (e) => [{ actor: tokenActorId(ccy), kind: 'tokens', event: e }]);
}

function applyCorridor(world: World, actor: string, command: CorridorCommand): void {
  const state = world.corridors.get(actor);
  if (state === undefined) throw new Error(`no corridor ${actor}`);
  commit(world, decideCorridor(state, command), (e) => [{ actor, kind: 'corridor', event: e }]);
}

/** Appends a decision's events and evolves each actor by what the journal took. */
function commit<E>(world: World, decision: Decision<E>, place: (e: E) => Journaled[]): void {
  if ('rejection' in decision) return;
  const appended = append(world, decision.events.flatMap(place));
  for (const j of appended) evolveJournaled(world, j);
  if (appended.length > 0) world.onStep(world, appended);
}

export function evolveJournaled(world: World, j: Journaled): void {
  if (j.kind === 'tokens') {
    const ccy = j.actor.slice('tokens:'.length) as Ccy;
    world.tokens.set(ccy, evolveTokens(world.tokens.get(ccy)!, j.event as TokenEvent));
  } else if (j.kind === 'corridor') {
    world.corridors.set(j.actor, evolveCorridor(world.corridors.get(j.actor)!, j.event as CorridorEvent));
  } else {
    world.accounts.set(j.actor, evolveAccount(world.accounts.get(j.actor)!, j.event as AccountEvent));
  }
}

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

export function apply(world: World, message: Message): void {
  const { id: messageId, op } = message;
  const ref = (acct: number) => pick(world.refs, acct);
  switch (op.op) {
    case 'expect': {
      const r = ref(op.acct);
      return applyAccount(world, accountActorId(r), {
        type: 'ExpectPayIn', messageId, payInId: `PI-${messageId}`, participant: pick(PARTICIPANTS, op.participant), currency: r.currency,
        amount: amountOf(op.amount, r.currency), endToEndId: `E2E-${op.ref}`, uetr: null,
      });
    }
    case 'entry': {
      const r = ref(op.acct);
      return applyAccount(world, accountActorId(r), {
        type: 'RecordBankEntry', messageId, currency: r.currency, status: op.status,
        entry: {
          key: `K${op.key}`, amount: amountOf(op.amount, r.currency), direction: op.credit ? 'CRDT' : 'DBIT', reversal: op.reversal,
          endToEndId: op.ref === null ? null : `E2E-${op.ref}`, uetr: null, accountServicerReference: `K${op.key}`, bookingDate: null,
        },
      });
    }
    case 'mint': {
      const ccy = pick(CURRENCIES, op.ccy);
      return applyTokens(world, ccy, {
        type: 'Mint', messageId, participant: pick(PARTICIPANTS, op.participant), currency: ccy, amount: amountOf(op.amount, ccy),
        source: { kind: 'OPERATOR', operator: 'ops', reason: 'test' }, backingFiat: clientFunds(world, ccy),
      });
    }
    case 'burn': {
      const ccy = pick(CURRENCIES, op.ccy);
      return applyTokens(world, ccy, { type: 'Burn', messageId, participant: pick(PARTICIPANTS, op.participant), currency: ccy, amount: amountOf(op.amount, ccy), reference: 'r' });
    }
    case 'transfer': {
      const ccy = pick(CURRENCIES, op.ccy);
      return applyTokens(world, ccy, {
        type: 'Transfer', messageId, from: pick(PARTICIPANTS, op.from), to: pick(PARTICIPANTS, op.to), currency: ccy, amount: amountOf(op.amount, ccy),
      });
    }
    case 'convert': {
      const source = pick(CURRENCIES, op.source);
      const target = pick(CURRENCIES, op.target);
      const decision = decideConvert({ source: world.tokens.get(source)!, target: world.tokens.get(target)! }, {
        type: 'Convert', messageId, participant: pick(PARTICIPANTS, op.participant), sourceCurrency: source, targetCurrency: target,
        amount: amountOf(op.amount, source), rate: new BigNumber(op.rate), rateId: `rate-${op.rate}`, backingFiat: clientFunds(world, target),
      });
      return commit(world, decision, (legs) => [
        { actor: tokenActorId(source), kind: 'tokens', event: legs.source },
        { actor: tokenActorId(target), kind: 'tokens', event: legs.target },
      ]);
    }
    case 'debit': {
      const r = ref(op.acct);
      const headroom = clientFunds(world, r.currency).minus(world.tokens.get(r.currency as Ccy)!.outstanding);
      return applyAccount(world, accountActorId(r), {
        type: 'DebitLedger', messageId, currency: r.currency, amount: amountOf(op.amount, r.currency), reservationId: null, reference: 'r', backingHeadroom: headroom,
      });
    }
    case 'credit': {
      const r = ref(op.acct);
      return applyAccount(world, accountActorId(r), { type: 'CreditLedger', messageId, currency: r.currency, amount: amountOf(op.amount, r.currency), reference: 'r' });
    }
    case 'bankBalance': {
      const r = ref(op.acct);
      return applyAccount(world, accountActorId(r), { type: 'SetBankBalance', messageId, currency: r.currency, balance: amountOf(op.amount, r.currency), asOf: 'd' });
    }
    case 'breaker':
      return applyTokens(world, pick(CURRENCIES, op.ccy), { type: op.open ? 'TripBreaker' : 'ResetBreaker', messageId, reason: 'test' });
    case 'obligation': {
      const key = pick(CORRIDORS, op.corridor);
      return applyCorridor(world, corridorActorId(key), {
        type: 'AcceptObligation', messageId, obligationId: `O${op.id}`, payer: pick(PARTICIPANTS, op.payer), payee: pick(PARTICIPANTS, op.payee),
        currency: key.sourceCurrency, amount: amountOf(op.amount, key.sourceCurrency), targetAmount: null,
      });
    }
    case 'close':
      return applyCorridor(world, corridorActorId(pick(CORRIDORS, op.corridor)), { type: 'CloseWindow', messageId, windowId: op.windowId });
  }
}
