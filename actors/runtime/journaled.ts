// The processing loop of a journaled actor, for any kind whose behaviour is a pure decide/evolve
// pair (account, corridor, token ledger). It holds the one rule that keeps live state and journal
// equal: the state only ever moves by events the journal reported `appended`, in sequence order.
//
//   recover  latest snapshot + the events after it (bounded batches), folded through evolve;
//            at most `recoveries.max` actors recover at once.
//   command  dedupe (applied window) → decide → append through the group committer →
//            appended: evolve, publish, settle 'appended'
//            duplicate: nothing changes, settle 'duplicate'
//            conflict: the journal knows more than this actor: catch up, decide again, once
//            failure: forget the state (reset, never resume after a failed write: the write may
//            have committed), settle 'retry', reload from the journal
//            rejection: settle 'rejected', unless the journal says the id was applied before
//            (outside the window), which makes it a duplicate
//   snapshot every `snapshotEvery` events, after the sender has its answer.
//
// The loop runs inside one nact actor (sharded.ts), so calls to `handle` never overlap.

import { hasApplied, type AppliedWindow } from '../applied.ts';
import type { Codec } from '../codec.ts';
import { isRejection, type Decision } from '../decision.ts';
import { fromJournal, toJournal, type Journaled } from '../journal-form.ts';
import type { Journal, PendingEvent } from '../journal.ts';
import { DUPLICATE, retry, type Outcome } from './outcome.ts';
import type { Entry } from './published.ts';
import type { Semaphore } from './semaphore.ts';
import type { Behaviour } from './sharded.ts';

/** What the loop needs to know about a kind of actor. */
export interface JournaledKind<S, C extends { readonly messageId: string }, E extends Journaled> {
  /** `account`, `corridor`, `tokens`: names the shards. */
  readonly kind: string;
  /** The state of an actor with no journal yet (a corridor derives its key from the id). */
  initial(actorId: string): S;
  decide(state: S, command: C): Decision<E>;
  evolve(state: S, event: E): S;
  /** The window of recently applied message ids kept in the state. */
  applied(state: S): AppliedWindow;
  readonly eventCodec: Codec<E>;
  readonly stateCodec: Codec<S>;
}

export interface JournaledOptions<E> {
  readonly journal: Journal;
  /** Events between snapshots. */
  readonly snapshotEvery: number;
  /** Events per journal.load during recovery: memory stays bounded however long the journal. */
  readonly loadBatch: number;
  readonly recoveries: Semaphore;
  /** Problems the loop survives (failed writes, snapshots that do not decode): for the log. */
  readonly onError?: ((actorId: string, what: string, err: unknown) => void) | undefined;
  /** Called after appended events are applied (the SSE stream of the inspection endpoint, mints). */
  readonly onApplied?: ((actorId: string, seq: number, events: readonly E[]) => void) | undefined;
}

export class JournalGapError extends Error {
  override readonly name = 'JournalGapError';
}

export class JournaledActor<S, C extends { readonly messageId: string }, E extends Journaled> implements Behaviour<C, E> {
  /** null: must (re)load from the journal before the next command. */
  private state: S | null = null;
  private seq = 0;
  private snapshotSeq = 0;

  constructor(
    id: string,
    private readonly kind: JournaledKind<S, C, E>,
    private readonly options: JournaledOptions<E>,
    private readonly entry: Entry<S>,
  ) {
    if (entry.id !== id) throw new Error(`actor ${id} given the side-index entry of ${entry.id}`);
  }

  /** The entry's: one field less in each of 100,000 idle actors (bench/actors). */
  get id(): string {
    return this.entry.id;
  }

  /** Never throws: every path settles, and a failure resets the actor instead of crashing it. */
  async handle(command: C, settle: (outcome: Outcome<E>) => void): Promise<void> {
    let outcome: Outcome<E>;
    try {
      outcome = await this.process(command);
    } catch (err) {
      this.report('unexpected failure; the actor is reset', err);
      this.invalidate();
      outcome = retry('ACTOR_FAILED', `actor ${this.id} failed: ${message(err)}`);
    }
    this.entry.touch();
    settle(outcome);
    // After the answer, still inside this actor's turn (the next message waits for it).
    if (this.state === null) {
      // Reset now rather than on the next message, so the side index shows the journal's state
      // as soon as the journal is back. If it is still down, the next message tries again.
      await this.recover().catch((err: unknown) => this.report('reload after a failure', err));
    } else if (this.seq - this.snapshotSeq >= this.options.snapshotEvery) {
      await this.snapshot();
    }
  }

  private async process(command: C): Promise<Outcome<E>> {
    if (this.state === null) {
      try {
        await this.recover();
      } catch (err) {
        this.report('recovery', err);
        return retry('RECOVERY_FAILED', `actor ${this.id} could not load its journal: ${message(err)}`);
      }
    }
    return this.attempt(command, true);
  }

  private async attempt(command: C, mayRetry: boolean): Promise<Outcome<E>> {
    const { kind, options, id } = this;
    const state: S = this.state!;
    if (hasApplied(kind.applied(state), command.messageId)) return DUPLICATE;
    const decision = kind.decide(state, command);
    if (isRejection(decision)) {
      if (decision.rejection.code === 'DUPLICATE') return DUPLICATE;
      // Outside the window the journal is the authority: a late redelivery of an applied message
      // may be refused by today's state (funds moved since), and must be reported as a duplicate.
      try {
        if (await options.journal.seen(id, command.messageId)) return DUPLICATE;
      } catch (err) {
        return retry('RECOVERY_FAILED', `duplicate check of ${command.messageId} failed: ${message(err)}`);
      }
      return { status: 'rejected', rejection: decision.rejection };
    }
    const { events } = decision;
    if (events.length === 0) return { status: 'appended', seq: this.seq, events };
    const pending = new Array<PendingEvent>(events.length);
    for (let i = 0; i < events.length; i++) {
      // Named fields, not a spread of the journal form: one object per event instead of two.
      const form = toJournal(kind.eventCodec, events[i]!);
      pending[i] = { actor: id, seq: this.seq + 1 + i, type: form.type, messageId: form.messageId, payload: form.payload };
    }

    let outcomes;
    try {
      outcomes = await options.journal.append(pending);
    } catch (err) {
      if (isQueueFull(err)) {
        // Refused before queueing (GroupCommitter's bound): nothing can have been written, so the
        // state is still the journal's.
        return retry('JOURNAL_BUSY', `journal queue full: ${message(err)}`);
      }
      // The write may or may not have committed: the state is no longer known to be the journal's.
      this.report('journal append; the actor is reset', err);
      this.invalidate();
      return retry('JOURNAL_FAILED', `journal write for ${id} failed: ${message(err)}`);
    }

    if (outcomes.length === events.length && allAre(outcomes, 'appended')) {
      let next = state;
      for (const e of events) next = kind.evolve(next, e);
      this.state = next;
      this.seq += events.length;
      this.publish();
      options.onApplied?.(id, this.seq, events);
      return { status: 'appended', seq: this.seq, events };
    }
    if (outcomes.length === events.length && allAre(outcomes, 'duplicate')) return DUPLICATE;
    // A conflict (or, for a multi-event decision, a mix): another writer moved this actor's
    // sequence. Catch up from the journal and decide again on the state it holds, once.
    if (!mayRetry) return retry('CONFLICT', `actor ${id}: the journal moved on twice while deciding ${command.messageId}`);
    try {
      await this.catchUp();
    } catch (err) {
      this.report('reload after a conflict', err);
      this.invalidate();
      return retry('RECOVERY_FAILED', `actor ${id} could not reload after a conflict: ${message(err)}`);
    }
    return this.attempt(command, false);
  }

  /** Latest snapshot + the events after it. Assigns nothing unless the whole load succeeds. */
  private async recover(): Promise<void> {
    const { kind, options, id } = this;
    await options.recoveries.run(async () => {
      let state = kind.initial(id);
      let seq = 0;
      const snapshot = await options.journal.latestSnapshot(id);
      if (snapshot !== null) {
        try {
          state = kind.stateCodec.decode(snapshot.state);
          seq = snapshot.seq;
        } catch (err) {
          // A snapshot is only a shortcut: the journal from the start gives the same state.
          this.report(`snapshot at seq ${snapshot.seq} does not decode; replaying the whole journal`, err);
        }
      }
      const loaded = await this.replay(state, seq);
      this.state = loaded.state;
      this.seq = loaded.seq;
      this.snapshotSeq = seq;
    });
    this.publish();
  }

  private async catchUp(): Promise<void> {
    const loaded = await this.replay(this.state!, this.seq);
    this.state = loaded.state;
    this.seq = loaded.seq;
    this.publish();
  }

  private async replay(from: S, fromSeq: number): Promise<{ state: S; seq: number }> {
    const { kind, options, id } = this;
    let state = from;
    let seq = fromSeq;
    for (;;) {
      const batch = await options.journal.load(id, seq, options.loadBatch);
      for (const stored of batch) {
        if (stored.seq !== seq + 1) throw new JournalGapError(`journal of ${id} jumps from seq ${seq} to ${stored.seq}`);
        state = kind.evolve(state, fromJournal(kind.eventCodec, stored));
        seq = stored.seq;
      }
      if (batch.length < options.loadBatch) return { state, seq };
    }
  }

  private async snapshot(): Promise<void> {
    const { state, seq } = this;
    if (state === null) return;
    try {
      await this.options.journal.saveSnapshot({ actor: this.id, seq, state: this.kind.stateCodec.encode(state) });
      this.snapshotSeq = seq;
    } catch (err) {
      // Not fatal: recovery replays a few more events. Tried again after the next event.
      this.report(`snapshot at seq ${seq}`, err);
    }
  }

  private invalidate(): void {
    this.state = null;
    this.entry.stale = true;
  }

  private publish(): void {
    this.entry.seq = this.seq;
    this.entry.state = this.state;
    this.entry.stale = this.state === null;
  }

  private report(what: string, err: unknown): void {
    this.options.onError?.(this.id, what, err);
  }
}

function allAre(outcomes: readonly { readonly status: string }[], status: string): boolean {
  for (const o of outcomes) if (o.status !== status) return false;
  return true;
}

/** GroupCommitter's JournalBackpressureError, told by its code (actors do not import adapters). */
function isQueueFull(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'JOURNAL_QUEUE_FULL';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
