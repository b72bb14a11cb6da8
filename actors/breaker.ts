// The circuit breaker as actor state (placeholder for issue 4, which decides when it trips and
// when it may reset). What is enforced already: while it is open, money cannot leave (payouts,
// reservations, ledger debits, mints, outgoing transfers and conversions are refused with
// BREAKER_OPEN); reads and incoming credits go on, so the books keep catching up with the bank.

import { nullable, object, boolean, text, type Codec } from './codec.ts';

export interface Breaker {
  readonly open: boolean;
  /** Why it last changed (tripped or reset), for the operator. */
  readonly reason: string | null;
}

export const BREAKER_CLOSED: Breaker = { open: false, reason: null };

export const breakerCodec: Codec<Breaker> = object<Breaker>({ open: boolean, reason: nullable(text) });
