// The token ledger's decisions for one currency: mint, burn, transfer and the breaker. Pure; the
// backing figure arrives in the command. Check order: duplicate, currency, amount, breaker, rule.
// The 1:1 rule is enforced here, for every mint whatever its source: outstanding + amount must
// not exceed the fiat in this currency's client_funds accounts.

import type BigNumber from 'bignumber.js';
import { hasApplied } from '../applied.ts';
import { accept, reject, type Decision, type Rejection } from '../decision.ts';
import { checkAmount, show } from '../money.ts';
import type { MintCommand, TokenCommand } from './commands.ts';
import type { TokenEvent } from './events.ts';
import { balanceOf, payInMintId, tokenSymbol, type TokenLedgerState } from './model.ts';

export function decideTokens(state: TokenLedgerState, command: TokenCommand): Decision<TokenEvent> {
  if (hasApplied(state.applied, command.messageId)) return reject('DUPLICATE', `message ${command.messageId} was already applied`);
  const { messageId } = command;
  if (command.type === 'TripBreaker') return accept({ type: 'TokenBreakerTripped', messageId, reason: command.reason });
  if (command.type === 'ResetBreaker') return accept({ type: 'TokenBreakerReset', messageId, reason: command.reason });
  const problem = checkTokenAmount(state, command.currency, command.amount);
  if (problem !== null) return { rejection: problem };
  switch (command.type) {
    case 'Mint':
      return decideMint(state, command);
    case 'Burn': {
      // A burn returns tokens for fiat going out; it is allowed with the breaker open, since it
      // only lowers what must be backed.
      const held = balanceOf(state, command.participant);
      if (command.amount.isGreaterThan(held)) return insufficient(state, command.participant, command.amount, held);
      return accept({ type: 'TokensBurned', messageId, participant: command.participant, amount: command.amount, reference: command.reference });
    }
    case 'Transfer': {
      if (state.breaker.open) return breakerOpen(state);
      if (command.from === command.to) return reject('SAME_PARTICIPANT', `${command.from} cannot transfer to itself`);
      const held = balanceOf(state, command.from);
      if (command.amount.isGreaterThan(held)) return insufficient(state, command.from, command.amount, held);
      return accept({ type: 'TokensTransferred', messageId, from: command.from, to: command.to, amount: command.amount });
    }
  }
}

export function checkTokenAmount(state: TokenLedgerState, currency: string, amount: BigNumber): Rejection | null {
  if (currency !== state.currency) {
    return reject('CURRENCY_MISMATCH', `${currency} amount for the ${tokenSymbol(state.currency)} ledger`).rejection;
  }
  return checkAmount(amount, currency);
}

/** null when `amount` more tokens stay within the backing figure. */
export function checkBacking(state: TokenLedgerState, amount: BigNumber, backingFiat: BigNumber): Rejection | null {
  const after = state.outstanding.plus(amount);
  if (!backingFiat.isFinite() || after.isGreaterThan(backingFiat)) {
    const c = state.currency;
    return reject('BACKING_EXCEEDED', `${show(after, c)} outstanding would exceed ${backingFiat.isFinite() ? show(backingFiat, c) : 'unknown'} of client funds`).rejection;
  }
  return null;
}

export function breakerOpen(state: TokenLedgerState): { readonly rejection: Rejection } {
  return reject('BREAKER_OPEN', `${tokenSymbol(state.currency)}: breaker open (${state.breaker.reason ?? 'no reason'})`);
}

export function insufficient(state: TokenLedgerState, participant: string, amount: BigNumber, held: BigNumber): { readonly rejection: Rejection } {
  const c = state.currency;
  return reject('INSUFFICIENT_TOKENS', `${participant} holds ${show(held, c)} ${tokenSymbol(c)}, needs ${show(amount, c)}`);
}

function decideMint(state: TokenLedgerState, command: MintCommand): Decision<TokenEvent> {
  if (state.breaker.open) return breakerOpen(state);
  const { source } = command;
  if (source.kind === 'PAY_IN') {
    // A pay-in mints exactly what the bank booked, once: the message id is derived from the pay-in.
    const sameAmount = source.currency === command.currency && source.amount.isEqualTo(command.amount);
    if (!sameAmount || command.messageId !== payInMintId(source.account, source.payInId)) {
      return reject('MINT_SOURCE_MISMATCH', `mint ${command.messageId} does not match pay-in ${source.payInId} of ${source.account}`);
    }
  }
  const problem = checkBacking(state, command.amount, command.backingFiat);
  if (problem !== null) return { rejection: problem };
  return accept({ type: 'TokensMinted', messageId: command.messageId, participant: command.participant, amount: command.amount, source });
}
