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

/** Appends one id, dropping the oldest when full (a copy of at most `max` strings). */
export function remember(window: AppliedWindow, messageId: string): AppliedWindow {
  if (hasApplied(window, messageId)) return window;
  const kept = window.ids.length >= window.max ? window.ids.slice(window.ids.length - window.max + 1) : window.ids;
  return { ids: [...kept, messageId], max: window.max };
}

export const appliedWindowCodec: Codec<AppliedWindow> = object<AppliedWindow>({ ids: array(text), max: integer });
