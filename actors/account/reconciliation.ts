// The account's side of reconciliation: after anything that moves the bank figure (tier 1: a
// booked entry; tier 2: the bank's live balance; tier 3: a statement's closing balance), the
// ledger L and the bank B are compared (actors/reconciliation/thresholds.ts). The result goes into
// the journal only when the level changes, inside the event that changed it (one event per
// message: the journal's identity is per message), so the hot path writes nothing extra:
//
//   level → status (OK, MINOR, SIGNIFICANT, CRITICAL): payouts are suspended from SIGNIFICANT on
//   Critical with the breaker closed → the breaker trips (`trips`), with a reason built from the
//   check, so replaying the event gives the same reason.

import type BigNumber from 'bignumber.js';
import { boolean, CodecError, decimal, literal, nullable, object, type Codec } from '../codec.ts';
import { formatAmount } from '../money.ts';
import { levelOf, type ThresholdLevel, type Thresholds } from '../reconciliation/thresholds.ts';
import type { BankEntry, OpenAccount, ReconciliationStatus } from './model.ts';

export type Tier = 1 | 2 | 3;

export interface ReconciliationCheck {
  readonly tier: Tier;
  readonly level: ThresholdLevel;
  readonly previous: ReconciliationStatus;
  readonly ledger: BigNumber;
  readonly bank: BigNumber;
  /** ledger − bank. */
  readonly difference: BigNumber;
  /** This check tripped the account's breaker. */
  readonly trips: boolean;
}

export const STATUS_OF: Readonly<Record<ThresholdLevel, ReconciliationStatus>> = {
  Ok: 'OK', Minor: 'MINOR', Significant: 'SIGNIFICANT', Critical: 'CRITICAL',
};

/**
 * The check of `ledger` against `bank` for `account`; null when the level is what the account
 * already has and nothing trips (nothing to journal). `force` journals it anyway (statements).
 */
export function checkBalances(
  account: OpenAccount, tier: Tier, ledger: BigNumber, bank: BigNumber, thresholds: Thresholds, force = false,
): ReconciliationCheck | null {
  const level = levelOf(ledger, bank, thresholds);
  const trips = level === 'Critical' && !account.breaker.open;
  if (!force && !trips && STATUS_OF[level] === account.reconciliation) return null;
  return { tier, level, previous: account.reconciliation, ledger, bank, difference: ledger.minus(bank), trips };
}

/** The breaker's reason for a tripping check: deterministic, so a replay gives the same text. */
export function tripReason(check: ReconciliationCheck, currency: string): string {
  return `tier ${check.tier} reconciliation Critical: ledger ${formatAmount(check.ledger, currency)} vs bank ${formatAmount(check.bank, currency)} (difference ${formatAmount(check.difference, currency)})`;
}

/**
 * A booking dated on or before the last reconciled statement's day is already inside that
 * statement's closing balance (which became the bank figure): a camt.054 that arrives after the
 * camt.053 of its day is recorded but must not move the bank figure a second time. Without a
 * booking date nothing can be said, and the entry counts.
 */
export function coveredByStatement(account: OpenAccount, entry: BankEntry): boolean {
  return account.statement !== null && entry.bookingDate !== null && entry.bookingDate.slice(0, 10) <= account.statement.date;
}

/** The bank figure after booking `entry` (see coveredByStatement). */
export function bankAfter(account: OpenAccount, entry: BankEntry): BigNumber {
  if (coveredByStatement(account, entry)) return account.bank;
  return entry.direction === 'CRDT' ? account.bank.plus(entry.amount) : account.bank.minus(entry.amount);
}

/** Whether payouts (reservations, ledger debits) are suspended by the reconciliation level. */
export function payoutsSuspended(account: OpenAccount): boolean {
  return account.reconciliation === 'SIGNIFICANT' || account.reconciliation === 'CRITICAL';
}

export const reconciliationCheckCodec: Codec<ReconciliationCheck> = object<ReconciliationCheck>({
  tier: {
    encode: (t) => t,
    decode: (j, p = '') => {
      if (j === 1 || j === 2 || j === 3) return j;
      throw new CodecError(p, 'expected tier 1, 2 or 3');
    },
  },
  level: literal('Ok', 'Minor', 'Significant', 'Critical'),
  previous: literal('UNCHECKED', 'OK', 'MINOR', 'SIGNIFICANT', 'CRITICAL'),
  ledger: decimal,
  bank: decimal,
  difference: decimal,
  trips: boolean,
});

export const optionalCheckCodec = nullable(reconciliationCheckCodec);
