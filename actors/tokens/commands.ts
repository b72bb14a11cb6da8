// What a token ledger can be asked to do. Figures that live in other actors come in the command:
// `backingFiat` is Σ fiat in this currency's client_funds accounts, read by the wiring in the same
// step as the decision (no debit of those accounts may interleave; see the report on the wiring).

import type BigNumber from 'bignumber.js';
import type { MintSource } from './model.ts';

export interface MintCommand {
  readonly type: 'Mint';
  readonly messageId: string;
  readonly participant: string;
  readonly currency: string;
  readonly amount: BigNumber;
  readonly source: MintSource;
  readonly backingFiat: BigNumber;
}

export interface BurnCommand {
  readonly type: 'Burn';
  readonly messageId: string;
  readonly participant: string;
  readonly currency: string;
  readonly amount: BigNumber;
  readonly reference: string;
}

export interface TransferCommand {
  readonly type: 'Transfer';
  readonly messageId: string;
  readonly from: string;
  readonly to: string;
  readonly currency: string;
  readonly amount: BigNumber;
}

export interface TripTokenBreakerCommand {
  readonly type: 'TripBreaker';
  readonly messageId: string;
  readonly reason: string;
}

export interface ResetTokenBreakerCommand {
  readonly type: 'ResetBreaker';
  readonly messageId: string;
  readonly reason: string;
}

export type TokenCommand = MintCommand | BurnCommand | TransferCommand | TripTokenBreakerCommand | ResetTokenBreakerCommand;

/**
 * Tokens of one currency into tokens of another at a stored rate (target units per source unit),
 * decided over both ledgers at once (convert.ts). `backingFiat` is the target currency's figure.
 */
export interface ConvertCommand {
  readonly type: 'Convert';
  readonly messageId: string;
  readonly participant: string;
  readonly sourceCurrency: string;
  readonly targetCurrency: string;
  readonly amount: BigNumber;
  readonly rate: BigNumber;
  /** Which stored rate was used (the fx_rates row), for the audit trail. */
  readonly rateId: string;
  readonly backingFiat: BigNumber;
}
