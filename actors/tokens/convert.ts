// A conversion between two token ledgers, decided once over both states, so that both legs are
// one decision: the source leg (tokens leave the participant in the source currency) and the
// target leg (tokens arrive in the target currency, within that currency's backing) are checked
// together and returned together, or refused together. Why not a two-ledger saga (debit, then
// credit, with a compensation when the credit is refused): between the steps the participant's
// tokens exist in neither ledger, a crash leaves a half-done conversion that recovery must find and
// finish, and the compensation itself can meet a tripped breaker. A single decision has no
// in-between state. Its price is that the wiring must hold both ledgers at once: the token ledgers
// (one per currency, a few dozen) live in one actor's mailbox, each with its own journal stream
// (`tokens:AED`, `tokens:USD`), and the two events go to the journal in one batch, which is one
// transaction.

import { hasApplied } from '../applied.ts';
import { accept, reject, type Decision } from '../decision.ts';
import { checkRate, convertAmount, show } from '../money.ts';
import type { ConvertCommand } from './commands.ts';
import { breakerOpen, checkBacking, checkTokenAmount, insufficient } from './decide.ts';
import type { TokensConvertedIn, TokensConvertedOut } from './events.ts';
import { balanceOf, type TokenLedgerState } from './model.ts';

/** The two legs: `source` is journaled on the source ledger, `target` on the target ledger. */
export interface ConversionLegs {
  readonly source: TokensConvertedOut;
  readonly target: TokensConvertedIn;
}

export function decideConvert(
  ledgers: { readonly source: TokenLedgerState; readonly target: TokenLedgerState },
  command: ConvertCommand,
): Decision<ConversionLegs> {
  const { source, target } = ledgers;
  const { messageId, participant, amount, rate } = command;
  if (hasApplied(source.applied, messageId) || hasApplied(target.applied, messageId)) {
    return reject('DUPLICATE', `message ${messageId} was already applied`);
  }
  if (source.currency === target.currency) return reject('SAME_CURRENCY', `${source.currency} to itself`);
  if (command.targetCurrency !== target.currency) {
    return reject('CURRENCY_MISMATCH', `target ${command.targetCurrency} given the ${target.currency} ledger`);
  }
  const problem = checkTokenAmount(source, command.sourceCurrency, amount) ?? checkRate(rate);
  if (problem !== null) return { rejection: problem };
  // Conversions out of a currency stop when its breaker is open; into a tripped currency too, since
  // that is a mint there.
  if (source.breaker.open) return breakerOpen(source);
  if (target.breaker.open) return breakerOpen(target);
  const held = balanceOf(source, participant);
  if (amount.isGreaterThan(held)) return insufficient(source, participant, amount, held);
  const targetAmount = convertAmount(amount, rate, target.currency);
  if (!targetAmount.isPositive() || targetAmount.isZero()) {
    return reject('CONVERSION_TOO_SMALL', `${show(amount, source.currency)} at ${rate.toFixed()} is less than one unit of ${target.currency}`);
  }
  const backing = checkBacking(target, targetAmount, command.backingFiat);
  if (backing !== null) return { rejection: backing };
  const { rateId } = command;
  return accept({
    source: {
      type: 'TokensConvertedOut', messageId, participant, amount, targetCurrency: target.currency, targetAmount, rate, rateId,
    },
    target: {
      type: 'TokensConvertedIn', messageId, participant, amount: targetAmount, sourceCurrency: source.currency, sourceAmount: amount, rate, rateId,
    },
  });
}
