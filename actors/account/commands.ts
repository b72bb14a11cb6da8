// What an account actor can be asked to do. Every command carries the identity of the message
// that caused it (`messageId`, unique per actor): applying the same id twice changes nothing.
// Amounts are BigNumber in the account's currency; a command never carries a float.

import type BigNumber from 'bignumber.js';
import type { AccountRef, AccountType, BankEntry } from './model.ts';

export interface OpenAccountCommand {
  readonly type: 'OpenAccount';
  readonly messageId: string;
  readonly ref: AccountRef;
  readonly accountType: AccountType;
  /** Opening figures (the seed's POST /accounts takes both); zero when absent. */
  readonly ledger: BigNumber;
  readonly bank: BigNumber;
}

/** A camt.052/053/054 entry for this account (see bank-entry.ts for the mapping from the model). */
export interface RecordBankEntryCommand {
  readonly type: 'RecordBankEntry';
  readonly messageId: string;
  readonly currency: string;
  /** BOOK moves the bank balance, PDNG is tracked apart, anything else is refused. */
  readonly status: string;
  readonly entry: BankEntry;
}

export interface ExpectPayInCommand {
  readonly type: 'ExpectPayIn';
  readonly messageId: string;
  readonly payInId: string;
  readonly participant: string;
  readonly currency: string;
  readonly amount: BigNumber;
  readonly endToEndId: string | null;
  readonly uetr: string | null;
}

/** Holds funds for a payout until it is debited or released (the backing check is at the debit). */
export interface ReserveCommand {
  readonly type: 'Reserve';
  readonly messageId: string;
  readonly reservationId: string;
  readonly currency: string;
  readonly amount: BigNumber;
}

export interface ReleaseCommand {
  readonly type: 'Release';
  readonly messageId: string;
  readonly reservationId: string;
}

/**
 * An internal posting out of the ledger. With a reservation it completes a payout (the whole
 * reservation is freed, the amount may be less). On a client_funds account it also needs the
 * backing headroom of its currency (Σ client_funds fiat − tokens outstanding, computed by the
 * wiring): fiat backing tokens cannot leave, so the 1:1 rule holds from both sides.
 */
export interface DebitLedgerCommand {
  readonly type: 'DebitLedger';
  readonly messageId: string;
  readonly currency: string;
  readonly amount: BigNumber;
  readonly reservationId: string | null;
  readonly reference: string;
  readonly backingHeadroom: BigNumber | null;
}

export interface CreditLedgerCommand {
  readonly type: 'CreditLedger';
  readonly messageId: string;
  readonly currency: string;
  readonly amount: BigNumber;
  readonly reference: string;
}

/** A statement (or intraday) balance: the bank's figure replaces ours. Signed: DBIT is negative. */
export interface SetBankBalanceCommand {
  readonly type: 'SetBankBalance';
  readonly messageId: string;
  readonly currency: string;
  readonly balance: BigNumber;
  readonly asOf: string;
}

export interface TripBreakerCommand {
  readonly type: 'TripBreaker';
  readonly messageId: string;
  readonly reason: string;
}

export interface ResetBreakerCommand {
  readonly type: 'ResetBreaker';
  readonly messageId: string;
  readonly reason: string;
}

export type AccountCommand =
  | OpenAccountCommand
  | RecordBankEntryCommand
  | ExpectPayInCommand
  | ReserveCommand
  | ReleaseCommand
  | DebitLedgerCommand
  | CreditLedgerCommand
  | SetBankBalanceCommand
  | TripBreakerCommand
  | ResetBreakerCommand;
