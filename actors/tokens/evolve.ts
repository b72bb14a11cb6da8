// The token ledger's state transitions. Never refusing (decisions are made before journaling),
// copying what they change. A balance or the outstanding total going negative is a bug or a
// corrupt journal, and throws so that the supervisor resets the actor.

import type BigNumber from 'bignumber.js';
import { remember } from '../applied.ts';
import { invariant } from '../decision.ts';
import type { TokenEvent } from './events.ts';
import { balanceOf, type TokenLedgerState } from './model.ts';

export function evolveTokens(state: TokenLedgerState, event: TokenEvent): TokenLedgerState {
  const base = { ...state, applied: remember(state.applied, event.messageId) };
  switch (event.type) {
    case 'TokensMinted':
    case 'TokensConvertedIn':
      return add(base, event.participant, event.amount);
    case 'TokensBurned':
    case 'TokensConvertedOut':
      return add(base, event.participant, event.amount.negated());
    case 'TokensTransferred': {
      const moved = adjust(base.balances, event.from, event.amount.negated());
      return { ...base, balances: adjust(moved, event.to, event.amount) };
    }
    case 'TokenBreakerTripped':
      return { ...base, breaker: { open: true, reason: event.reason } };
    case 'TokenBreakerReset':
      return { ...base, breaker: { open: false, reason: event.reason } };
  }
}

/** Changes one holder and the outstanding total by the same signed amount. */
function add(state: TokenLedgerState, participant: string, delta: BigNumber): TokenLedgerState {
  const outstanding = state.outstanding.plus(delta);
  invariant(!outstanding.isNegative(), `${state.currency} outstanding below zero`);
  return { ...state, balances: adjust(state.balances, participant, delta), outstanding };
}

function adjust(balances: ReadonlyMap<string, BigNumber>, participant: string, delta: BigNumber): ReadonlyMap<string, BigNumber> {
  const next = balanceOf({ balances } as TokenLedgerState, participant).plus(delta);
  invariant(!next.isNegative(), `balance of ${participant} below zero`);
  const copy = new Map(balances);
  if (next.isZero()) copy.delete(participant);
  else copy.set(participant, next);
  return copy;
}
