// The processing loop of the token actor: the ledgers of ALL currencies in one nact actor, so a
// conversion decides over its two ledgers at once (convert.ts explains why not a saga). Each
// ledger keeps its own journal stream (`tokens:AED`, ...), its own seq and snapshots, and is
// recovered lazily (latest snapshot + later events) the first time a message touches it. The
// rule is the one of runtime/journaled.ts, for one or two ledgers at a time: a ledger's state
// only moves by events the journal reported `appended`, in sequence order.
//
//   message  currencies → recover what is not loaded → decide (the backing figure read now, in
//            this turn) → append every event of the decision in ONE journal.append (a conversion's
//            two legs go in one batch, i.e. one transaction) → evolve what was appended → settle
//   convert  before appending, the journal is asked whether either ledger already holds this
//            message id: `ON CONFLICT DO NOTHING` judges rows one by one, so a reused id known to
//            one ledger only would otherwise append the other leg alone (half a conversion)
//   failure  the ledgers involved are reset and reloaded from the journal; settle 'retry'
//
// The loop runs inside one nact actor (runtime/sharded.ts with one shard and one child), so calls
// to `handle` never overlap and the mailbox bound, draining and stop are the runtime's.

import { hasApplied } from '../applied.ts';
import { isRejection, type Rejection } from '../decision.ts';
import { fromJournal, toJournal } from '../journal-form.ts';
import type { Journal, PendingEvent } from '../journal.ts';
import { checkCurrency } from '../money.ts';
import { DUPLICATE, retry, type Outcome } from '../runtime/outcome.ts';
import type { Entry, SideIndex } from '../runtime/published.ts';
import type { Behaviour } from '../runtime/sharded.ts';
import type { BackingPort } from './backing.ts';
import { tokenStateCodec } from './codec.ts';
import type { ConvertCommand, MintCommand, TokenCommand } from './commands.ts';
import { decideConvert } from './convert.ts';
import { decideTokens } from './decide.ts';
import { tokenEventCodec, type TokenEvent } from './events.ts';
import { evolveTokens } from './evolve.ts';
import { initialTokenLedger, tokenActorId, type TokenLedgerState } from './model.ts';

/**
 * What the token actor can be asked to do. The backing figure is NOT in the request: the actor
 * reads it itself when it decides, so it is as fresh as the single mailbox allows.
 */
export type TokensRequest =
  | Omit<MintCommand, 'backingFiat'>
  | Extract<TokenCommand, { type: 'Burn' | 'Transfer' }>
  | (Extract<TokenCommand, { type: 'TripBreaker' | 'ResetBreaker' }> & { readonly currency: string })
  | Omit<ConvertCommand, 'backingFiat'>;

/** Recovers these ledgers (start-up, so reads find them in the side index); journals nothing. */
export interface LoadLedgers {
  readonly type: 'Load';
  readonly messageId: string;
  readonly currencies: readonly string[];
}

export type LedgersMessage = TokensRequest | LoadLedgers;

export interface LedgersOptions {
  readonly journal: Journal;
  readonly backing: BackingPort;
  readonly snapshotEvery: number;
  readonly loadBatch: number;
  /** Applied-window size of a new ledger. */
  readonly appliedIdsMax: number;
  /** Where each ledger publishes (`tokens:AED`), read by HTTP without asking the actor. */
  readonly index: SideIndex<TokenLedgerState>;
  readonly pathOf: (ledgerId: string) => string;
  readonly onError?: ((actorId: string, what: string, err: unknown) => void) | undefined;
  readonly onApplied?: ((actorId: string, seq: number, events: readonly TokenEvent[]) => void) | undefined;
}

interface Ledger {
  readonly id: string;
  readonly currency: string;
  readonly entry: Entry<TokenLedgerState>;
  /** null: must (re)load from the journal before the next message that touches it. */
  state: TokenLedgerState | null;
  seq: number;
  snapshotSeq: number;
}

interface Placed {
  readonly ledger: Ledger;
  readonly event: TokenEvent;
}

export class TokenLedgers implements Behaviour<LedgersMessage, TokenEvent> {
  private readonly ledgers = new Map<string, Ledger>();
  /** Events this actor appended since it started (the actor-level entry's seq). */
  private appended = 0;

  constructor(
    private readonly options: LedgersOptions,
    /** The actor's own entry: the states of all loaded ledgers, by currency. */
    private readonly entry: Entry<ReadonlyMap<string, TokenLedgerState>>,
  ) {
    this.entry.state = new Map();
    this.entry.stale = false;
  }

  /** Never throws: every path settles, and a failure resets the ledgers involved. */
  async handle(message: LedgersMessage, settle: (outcome: Outcome<TokenEvent>) => void): Promise<void> {
    const currencies = currenciesOf(message);
    let outcome: Outcome<TokenEvent>;
    try {
      outcome = await this.process(message, currencies);
    } catch (err) {
      this.report(`tokens:${currencies.join('+')}`, 'unexpected failure; the ledgers are reset', err);
      for (const c of currencies) this.invalidate(this.ledgers.get(c));
      outcome = retry('ACTOR_FAILED', `token actor failed on ${message.messageId}: ${errorText(err)}`);
    }
    const now = new Date().toISOString();
    this.entry.lastMessageAt = now;
    for (const c of currencies) {
      const ledger = this.ledgers.get(c);
      if (ledger !== undefined) ledger.entry.lastMessageAt = now;
    }
    settle(outcome);
    // After the answer, still inside this actor's turn: reload what a failure reset (so the side
    // index shows the journal's state again), snapshot what is due.
    for (const c of currencies) {
      const ledger = this.ledgers.get(c);
      if (ledger === undefined) continue;
      if (ledger.state === null) await this.recover(ledger).catch((err: unknown) => this.report(ledger.id, 'reload after a failure', err));
      else if (ledger.seq - ledger.snapshotSeq >= this.options.snapshotEvery) await this.snapshot(ledger);
    }
  }

  private async process(message: LedgersMessage, currencies: readonly string[]): Promise<Outcome<TokenEvent>> {
    for (const c of currencies) {
      const problem = checkCurrency(c);
      // Refused before a ledger exists for it: an unknown code must not create a side-index entry.
      if (problem !== null) return { status: 'rejected', rejection: problem };
    }
    const ledgers = currencies.map((c) => this.ledgerOf(c));
    for (const ledger of ledgers) {
      if (ledger.state !== null) continue;
      try {
        await this.recover(ledger);
      } catch (err) {
        this.report(ledger.id, 'recovery', err);
        return retry('RECOVERY_FAILED', `ledger ${ledger.id} could not load its journal: ${errorText(err)}`);
      }
    }
    if (message.type === 'Load') return { status: 'appended', seq: 0, events: [] };
    return this.attempt(message, ledgers, true);
  }

  private async attempt(request: TokensRequest, ledgers: readonly Ledger[], mayRetry: boolean): Promise<Outcome<TokenEvent>> {
    const { journal } = this.options;
    if (ledgers.some((l) => hasApplied(l.state!.applied, request.messageId))) return DUPLICATE;
    const decided = this.decide(request, ledgers);
    if ('rejection' in decided) {
      if (decided.rejection.code === 'DUPLICATE') return DUPLICATE;
      // Outside the applied window the journal is the authority (see applied.ts).
      const seen = await this.seenBy(ledgers, request.messageId);
      if (seen === null) return retry('RECOVERY_FAILED', `duplicate check of ${request.messageId} failed`);
      return seen ? DUPLICATE : { status: 'rejected', rejection: decided.rejection };
    }
    const { placed } = decided;
    if (placed.length > 1) {
      const seen = await this.seenBy(ledgers, request.messageId);
      if (seen === null) return retry('RECOVERY_FAILED', `duplicate check of ${request.messageId} failed`);
      if (seen) return DUPLICATE;
    }
    const pending: PendingEvent[] = placed.map((p) => ({ actor: p.ledger.id, seq: p.ledger.seq + 1, ...toJournal(tokenEventCodec, p.event) }));

    let outcomes;
    try {
      outcomes = await journal.append(pending);
    } catch (err) {
      // Refused before queueing: nothing can have been written, the states are still the journal's.
      if (isQueueFull(err)) return retry('JOURNAL_BUSY', `journal queue full: ${errorText(err)}`);
      this.report(ledgers.map((l) => l.id).join('+'), 'journal append; the ledgers are reset', err);
      for (const l of ledgers) this.invalidate(l);
      return retry('JOURNAL_FAILED', `journal write for ${request.messageId} failed: ${errorText(err)}`);
    }

    const all = (status: string) => outcomes.length === placed.length && outcomes.every((o) => o.status === status);
    if (all('appended')) {
      for (const { ledger, event } of placed) this.apply(ledger, event);
      return { status: 'appended', seq: placed[0]!.ledger.seq, events: placed.map((p) => p.event) };
    }
    if (all('duplicate')) return DUPLICATE;
    if (outcomes.some((o) => o.status === 'appended')) {
      // Only possible with a second writer of these streams: the journal now holds part of a
      // decision. The live state follows the journal (reload), and the operator must know.
      this.report(ledgers.map((l) => l.id).join('+'), `message ${request.messageId} was appended in part`, new Error(JSON.stringify(outcomes)));
      for (const l of ledgers) this.invalidate(l);
      return retry('CONFLICT', `${request.messageId}: the journal took part of the decision; ledgers reloaded`);
    }
    // Nothing written, but a seq was taken (another writer): catch up and decide again, once.
    if (!mayRetry) return retry('CONFLICT', `the journal moved on twice while deciding ${request.messageId}`);
    try {
      for (const l of ledgers) await this.catchUp(l);
    } catch (err) {
      this.report(ledgers.map((l) => l.id).join('+'), 'reload after a conflict', err);
      for (const l of ledgers) this.invalidate(l);
      return retry('RECOVERY_FAILED', `could not reload after a conflict: ${errorText(err)}`);
    }
    return this.attempt(request, ledgers, false);
  }

  /** One decision over the ledgers the request names, with each event placed on its ledger. */
  private decide(request: TokensRequest, ledgers: readonly Ledger[]): { readonly placed: readonly Placed[] } | { readonly rejection: Rejection } {
    const { backing } = this.options;
    const [first, second] = ledgers;
    if (request.type === 'Convert') {
      // Same currency on both sides: one ledger, decided as its own source and target (refused).
      const target = second ?? first!;
      const decision = decideConvert(
        { source: first!.state!, target: target.state! },
        { ...request, backingFiat: backing.of(request.targetCurrency) },
      );
      if (isRejection(decision)) return decision;
      return { placed: decision.events.flatMap((legs) => [{ ledger: first!, event: legs.source }, { ledger: target, event: legs.target }]) };
    }
    const command: TokenCommand =
      request.type === 'Mint' ? { ...request, backingFiat: backing.of(request.currency) }
      : request.type === 'TripBreaker' || request.type === 'ResetBreaker' ? { type: request.type, messageId: request.messageId, reason: request.reason }
      : request;
    const decision = decideTokens(first!.state!, command);
    if (isRejection(decision)) return decision;
    return { placed: decision.events.map((event) => ({ ledger: first!, event })) };
  }

  /** true if any of the ledgers journaled this id; null when the journal cannot be read. */
  private async seenBy(ledgers: readonly Ledger[], messageId: string): Promise<boolean | null> {
    try {
      const seen = await Promise.all(ledgers.map((l) => this.options.journal.seen(l.id, messageId)));
      return seen.some(Boolean);
    } catch (err) {
      this.report(ledgers.map((l) => l.id).join('+'), `duplicate check of ${messageId}`, err);
      return null;
    }
  }

  private apply(ledger: Ledger, event: TokenEvent): void {
    ledger.state = evolveTokens(ledger.state!, event);
    ledger.seq += 1;
    this.appended += 1;
    this.publish(ledger);
    this.options.onApplied?.(ledger.id, ledger.seq, [event]);
  }

  private ledgerOf(currency: string): Ledger {
    let ledger = this.ledgers.get(currency);
    if (ledger === undefined) {
      const id = tokenActorId(currency);
      ledger = { id, currency, entry: this.options.index.open(id, this.options.pathOf(id)), state: null, seq: 0, snapshotSeq: 0 };
      this.ledgers.set(currency, ledger);
    }
    return ledger;
  }

  /** Latest snapshot + the events after it. Assigns nothing unless the whole load succeeds. */
  private async recover(ledger: Ledger): Promise<void> {
    const { journal, appliedIdsMax } = this.options;
    let state = initialTokenLedger(ledger.currency, appliedIdsMax);
    let seq = 0;
    const snapshot = await journal.latestSnapshot(ledger.id);
    if (snapshot !== null) {
      try {
        state = tokenStateCodec.decode(snapshot.state);
        seq = snapshot.seq;
      } catch (err) {
        // A snapshot is only a shortcut: the journal from the start gives the same state.
        this.report(ledger.id, `snapshot at seq ${snapshot.seq} does not decode; replaying the whole journal`, err);
      }
    }
    const loaded = await this.replay(ledger, state, seq);
    ledger.state = loaded.state;
    ledger.seq = loaded.seq;
    ledger.snapshotSeq = seq;
    this.publish(ledger);
  }

  private async catchUp(ledger: Ledger): Promise<void> {
    const loaded = await this.replay(ledger, ledger.state!, ledger.seq);
    ledger.state = loaded.state;
    ledger.seq = loaded.seq;
    this.publish(ledger);
  }

  private async replay(ledger: Ledger, from: TokenLedgerState, fromSeq: number): Promise<{ state: TokenLedgerState; seq: number }> {
    const { journal, loadBatch } = this.options;
    let state = from;
    let seq = fromSeq;
    for (;;) {
      const batch = await journal.load(ledger.id, seq, loadBatch);
      for (const stored of batch) {
        if (stored.seq !== seq + 1) throw new Error(`journal of ${ledger.id} jumps from seq ${seq} to ${stored.seq}`);
        state = evolveTokens(state, fromJournal(tokenEventCodec, stored));
        seq = stored.seq;
      }
      if (batch.length < loadBatch) return { state, seq };
    }
  }

  private async snapshot(ledger: Ledger): Promise<void> {
    const { state, seq } = ledger;
    if (state === null) return;
    try {
      await this.options.journal.saveSnapshot({ actor: ledger.id, seq, state: tokenStateCodec.encode(state) });
      ledger.snapshotSeq = seq;
    } catch (err) {
      // Not fatal: recovery replays a few more events. Tried again after the next event.
      this.report(ledger.id, `snapshot at seq ${seq}`, err);
    }
  }

  private invalidate(ledger: Ledger | undefined): void {
    if (ledger === undefined) return;
    ledger.state = null;
    ledger.entry.stale = true;
  }

  private publish(ledger: Ledger): void {
    ledger.entry.seq = ledger.seq;
    ledger.entry.state = ledger.state;
    ledger.entry.stale = ledger.state === null;
    const all = new Map<string, TokenLedgerState>();
    for (const l of this.ledgers.values()) if (l.state !== null) all.set(l.currency, l.state);
    this.entry.state = all;
    this.entry.seq = this.appended;
  }

  private report(actorId: string, what: string, err: unknown): void {
    this.options.onError?.(actorId, what, err);
  }
}

/** The ledgers a message touches, without repeats (a same-currency convert names one). */
export function currenciesOf(message: LedgersMessage): string[] {
  switch (message.type) {
    case 'Load':
      return [...new Set(message.currencies)];
    case 'Convert':
      return [...new Set([message.sourceCurrency, message.targetCurrency])];
    default:
      return [message.currency];
  }
}

/** GroupCommitter's JournalBackpressureError, told by its code (actors do not import adapters). */
function isQueueFull(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'JOURNAL_QUEUE_FULL';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
