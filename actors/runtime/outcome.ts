// What a sender gets back for one command. Replies never travel through nact's `query` (its 32-bit
// reply ids cross-talk under load); the message carries a `settle` callback that the actor calls
// exactly once. Each outcome tells the source what to do:
//   appended     durable in the journal and applied: acknowledge the source.
//   duplicate    this message id was already applied; nothing changed: acknowledge.
//   rejected     a business refusal (decision.ts code), nothing journaled: acknowledge, report it.
//   retry        nothing is known to be applied (journal down or busy, actor reset, shutdown):
//                do NOT acknowledge; redeliver later (nak with a delay, HTTP 503).
//   mailbox_full the actor's bounded mailbox is full, the message was not queued: same as retry.

import type { Rejection } from '../decision.ts';

export type RetryCode =
  /** The journal write failed; the actor was reset from the journal. */
  | 'JOURNAL_FAILED'
  /** The group committer's queue is full; nothing was written and the actor is unchanged. */
  | 'JOURNAL_BUSY'
  /** A journal read failed (recovery, or the duplicate check of a rejection). */
  | 'RECOVERY_FAILED'
  /** The actor's sequence moved on twice in a row (another writer). */
  | 'CONFLICT'
  /** A bug or a journal that does not decode; the actor was reset. */
  | 'ACTOR_FAILED'
  /** All children of the account's shard are busy (childrenPerShardMax). */
  | 'SHARD_FULL'
  /** The runtime is stopping or stopped. */
  | 'STOPPING';

export type Outcome<E> =
  | { readonly status: 'appended'; readonly seq: number; readonly events: readonly E[] }
  | { readonly status: 'duplicate' }
  | { readonly status: 'rejected'; readonly rejection: Rejection }
  | { readonly status: 'retry'; readonly code: RetryCode; readonly message: string }
  | { readonly status: 'mailbox_full'; readonly code: 'MAILBOX_FULL'; readonly depth: number };

export const DUPLICATE = Object.freeze({ status: 'duplicate' }) satisfies Outcome<never>;

export function retry(code: RetryCode, message: string): Outcome<never> {
  return { status: 'retry', code, message };
}

/** One command in an actor's mailbox, with the callback that answers it. */
export interface Envelope<C, E> {
  readonly command: C;
  /** Called exactly once (later calls are ignored). */
  readonly settle: (outcome: Outcome<E>) => void;
}
