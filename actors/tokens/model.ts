// The token ledger of one currency (xAED for AED, ...): how many tokens each participant holds
// and how many are outstanding in total. Tokens are claims on fiat held in client_funds accounts,
// 1:1: the ledger refuses any mint that would take `outstanding` above the backing figure the
// command brings. Zero balances are removed, so the map only holds holders. `outstanding` is kept
// beside the balances (not summed on each mint); the tests check that it always equals their sum.

import type BigNumber from 'bignumber.js';
import { emptyWindow, type AppliedWindow } from '../applied.ts';
import { BREAKER_CLOSED, type Breaker } from '../breaker.ts';
import { ZERO } from '../money.ts';

export interface TokenLedgerState {
  /** The fiat currency (ISO 4217); the token is `x` + currency. */
  readonly currency: string;
  readonly applied: AppliedWindow;
  readonly balances: ReadonlyMap<string, BigNumber>;
  readonly outstanding: BigNumber;
  /** Currency-wide breaker (issue 4 sets it): mints, transfers and conversions out are refused. */
  readonly breaker: Breaker;
}

export function tokenActorId(currency: string): string {
  return `tokens:${currency}`;
}

export function tokenSymbol(currency: string): string {
  return `x${currency}`;
}

export function initialTokenLedger(currency: string, appliedIdsMax?: number): TokenLedgerState {
  return { currency, applied: emptyWindow(appliedIdsMax), balances: new Map(), outstanding: ZERO, breaker: BREAKER_CLOSED };
}

export function balanceOf(state: TokenLedgerState, participant: string): BigNumber {
  return state.balances.get(participant) ?? ZERO;
}

/**
 * The message id of a mint against a pay-in, derived from the pay-in so that the journal's
 * uniqueness (actor, messageId) makes a second mint against the same pay-in impossible, forever,
 * not only within the applied window.
 */
export function payInMintId(account: string, payInId: string): string {
  return `mint:${account}:${payInId}`;
}

/** Why tokens may be created: a matched, booked pay-in, or an operator (who passes the same check). */
export type MintSource =
  | {
      readonly kind: 'PAY_IN';
      /** The account actor id that emitted PayInMatched. */
      readonly account: string;
      readonly payInId: string;
      /** The booked amount of the matched entry, in the ledger's currency. */
      readonly amount: BigNumber;
      readonly currency: string;
    }
  | { readonly kind: 'OPERATOR'; readonly operator: string; readonly reason: string };
