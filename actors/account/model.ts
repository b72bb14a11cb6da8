// The state of one EMI account actor. Two balances are kept apart on purpose: `ledger` is what
// deltran's books say (moved by internal postings and by matched pay-ins), `bank` is what the
// bank says (moved only by booked bank entries and statement balances); reconciliation (issue 4)
// compares them. `available` is derived (ledger − reserved), never stored, so it cannot drift.
// Every collection is bounded by `limits`, kept in the state so that replay applies the same bounds.

import type BigNumber from 'bignumber.js';
import { emptyWindow, type AppliedWindow } from '../applied.ts';
import type { Breaker } from '../breaker.ts';

export type AccountType = 'client_funds' | 'settlement' | 'fee' | 'reserve_buffer';
export const ACCOUNT_TYPES: readonly AccountType[] = ['client_funds', 'settlement', 'fee', 'reserve_buffer'];

export interface AccountRef {
  readonly scheme: 'IBAN' | 'OTHER';
  readonly id: string;
  readonly currency: string;
}

/** The journal's actor id for an account (see journal.ts: `account:DE89...:EUR`). */
export function accountActorId(ref: AccountRef): string {
  return `account:${ref.id}:${ref.currency}`;
}

export type Direction = 'CRDT' | 'DBIT';

/** One bank entry as the account keeps it (camt.052/053/054 Ntry, normalized). */
export interface BankEntry {
  /** Identity within the account (AcctSvcrRef, else NtryRef, else the message identity). */
  readonly key: string;
  readonly amount: BigNumber;
  /** The only source of the sign: a reversal keeps the sign its CdtDbtInd gives. */
  readonly direction: Direction;
  readonly reversal: boolean;
  readonly endToEndId: string | null;
  readonly uetr: string | null;
  readonly accountServicerReference: string | null;
  /** As the bank sent it (a date without an offset is the bank's local day). */
  readonly bookingDate: string | null;
}

/** A pay-in deltran waits for: when the bank books it, tokens can be minted against it. */
export interface ExpectedPayIn {
  readonly payInId: string;
  /** Who receives the tokens. */
  readonly participant: string;
  readonly amount: BigNumber;
  readonly endToEndId: string | null;
  readonly uetr: string | null;
}

export type MatchMethod = 'UETR' | 'END_TO_END_ID';

export type ReconciliationStatus = 'UNCHECKED' | 'OK' | 'MINOR' | 'SIGNIFICANT' | 'CRITICAL';

export interface BookedTotals {
  readonly creditCount: number;
  readonly creditSum: BigNumber;
  readonly debitCount: number;
  readonly debitSum: BigNumber;
}

export interface AccountLimits {
  readonly appliedIdsMax: number;
  /** Pending entries change nothing, so the oldest is dropped (and counted) when full. */
  readonly pendingEntriesMax: number;
  /** Booked entries live in the journal; the state keeps the last few for inspection. */
  readonly recentBookedMax: number;
  readonly expectedPayInsMax: number;
  readonly reservationsMax: number;
}

export const ACCOUNT_LIMITS_DEFAULT: AccountLimits = {
  appliedIdsMax: 64,
  pendingEntriesMax: 1_000,
  recentBookedMax: 16,
  expectedPayInsMax: 1_000,
  reservationsMax: 1_000,
};

export interface UnopenedAccount {
  readonly status: 'unopened';
  readonly limits: AccountLimits;
  readonly applied: AppliedWindow;
}

export interface OpenAccount {
  readonly status: 'open';
  readonly limits: AccountLimits;
  readonly applied: AppliedWindow;
  readonly ref: AccountRef;
  readonly type: AccountType;
  readonly ledger: BigNumber;
  readonly bank: BigNumber;
  /** Σ reservations, kept beside them so a debit check does not sum the map. */
  readonly reserved: BigNumber;
  readonly reservations: ReadonlyMap<string, BigNumber>;
  /** Pending (PDNG) entries by key: tracked apart, they move no balance until booked. */
  readonly pending: ReadonlyMap<string, BankEntry>;
  readonly pendingDropped: number;
  readonly booked: BookedTotals;
  /** Newest last, at most limits.recentBookedMax. */
  readonly recentBooked: readonly BankEntry[];
  readonly expected: ReadonlyMap<string, ExpectedPayIn>;
  /** The level of the last journaled check (account/reconciliation.ts); UNCHECKED before any. */
  readonly reconciliation: ReconciliationStatus;
  readonly breaker: Breaker;
  /** The last end-of-day statement reconciled (tier 3): the next one must continue its chain. */
  readonly statement: StatementLinkState | null;
}

export interface StatementLinkState {
  readonly id: string;
  /** The statement's day (YYYY-MM-DD). */
  readonly date: string;
  readonly sequence: string | null;
  readonly closing: BigNumber;
}

export type AccountState = UnopenedAccount | OpenAccount;

export function initialAccount(limits: AccountLimits = ACCOUNT_LIMITS_DEFAULT): AccountState {
  return { status: 'unopened', limits, applied: emptyWindow(limits.appliedIdsMax) };
}

/** What can be paid out or reserved now. */
export function available(account: OpenAccount): BigNumber {
  return account.ledger.minus(account.reserved);
}
