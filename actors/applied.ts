// The ids of the messages an actor applied last, kept so a quick redelivery (the usual case of
// at-least-once: JetStream redelivers within ack_wait) is refused as DUPLICATE without a database
// round trip. The window is bounded on purpose: 100,000 accounts with an unbounded history would
// not fit in memory. The authority is the journal, whose (actor, messageId) is unique: an older
// redelivery that misses the window is decided again, its append comes back `duplicate`, and the
// wiring drops the events without evolving. One caveat for the wiring: a *rejection* for an id
// outside the window must be checked with `journal.seen` before it is reported, or a late
// duplicate would be reported as rejected (nothing changes either way).

import { array, integer, object, text, type Codec } from './codec.ts';

export interface AppliedWindow {
  /** Oldest first. */
  readonly ids: readonly string[];
  readonly max: number;
}

export const APPLIED_IDS_MAX_DEFAULT = 64;

export function emptyWindow(max: number = APPLIED_IDS_MAX_DEFAULT): AppliedWindow {
  if (!Number.isSafeInteger(max) || max < 1) throw new Error(`applied window size must be a positive integer, got ${max}`);
  return { ids: [], max };
}

export function hasApplied(window: AppliedWindow, messageId: string): boolean {
  return window.ids.includes(messageId);
}

/**
 * Appends one id, dropping the oldest when full. The window is a value (states are immutable, an
 * older state may still be read), so this copies at most `max` strings, into one array allocated at
 * its final size (slice + spread made two per event: bench/ingest). A ring or a persistent list
 * would avoid the copy but not the per-account memory, and would change the plain form that the
 * codec and the state tests compare.
 */
export function remember(window: AppliedWindow, messageId: string): AppliedWindow {
  const ids = window.ids;
  if (ids.includes(messageId)) return window;
  const n = ids.length;
  const drop = n >= window.max ? n - window.max + 1 : 0;
  const next = new Array<string>(n - drop + 1);
  for (let i = drop; i < n; i++) next[i - drop] = ids[i]!;
  next[n - drop] = messageId;
  return { ids: next, max: window.max };
}

export const appliedWindowCodec: Codec<AppliedWindow> = object<AppliedWindow>({ ids: array(text), max: integer });
