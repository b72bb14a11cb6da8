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

/** Tier 2: the bank's own figure right now (its API or a camt.052). Only a level change is journaled. */
export interface ObserveBankBalanceCommand {
  readonly type: 'ObserveBankBalance';
  readonly messageId: string;
  readonly currency: string;
  /** Signed: an overdrawn account is negative. */
  readonly balance: BigNumber;
  readonly asOf: string;
}

/** One statement discrepancy found by the wiring's entry matching (actors/reconciliation). */
export interface StatementDiscrepancy {
  readonly type: 'MISSING_TXN' | 'DUPLICATE_TXN' | 'AMOUNT_MISMATCH' | 'SEQUENCE_GAP' | 'BALANCE_MISMATCH';
  /** Which side lacks it (MISSING_TXN), the kind of gap or mismatch; free text otherwise. */
  readonly detail: string;
  /** The bank's reference of the entry concerned, when there is one. */
  readonly reference: string | null;
  readonly expected: BigNumber | null;
  readonly actual: BigNumber | null;
}

/**
 * Tier 3: an end-of-day statement (camt.053). Its entries were matched against what tier 1
 * journaled for that day by the wiring (which reads the journal); the actor adds the chain checks
 * (sequence, opening = previous closing, opening + entries = closing), sets the bank figure to the
 * closing balance and compares.
 */
export interface ReconcileStatementCommand {
  readonly type: 'ReconcileStatement';
  readonly messageId: string;
  readonly currency: string;
  readonly statementId: string;
  readonly date: string;
  readonly sequence: string | null;
  /** Signed opening (OPBD/PRCD) and closing (CLBD) balances. */
  readonly opening: BigNumber;
  readonly closing: BigNumber;
  /** Σ signed booked entries of the statement. */
  readonly bookedSum: BigNumber;
  readonly matched: number;
  readonly discrepancies: readonly StatementDiscrepancy[];
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
  | ObserveBankBalanceCommand
  | ReconcileStatementCommand
  | TripBreakerCommand
  | ResetBreakerCommand;
