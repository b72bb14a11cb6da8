// What an account event leaves in the reconciliation read models: discrepancy rows and the EOD
// snapshot. Pure and deterministic, so the live hook and the start-up catch-up derive the same rows
// from the same journaled event, and each row's `sourceKey` (`<actor>:<seq>:<index>`) makes the
// second derivation insert nothing (adapters/db/reconciliation-records.ts).
//
// Rows come from:
//   - StatementReconciled.discrepancies (tier 3): one row each, index = its position;
//   - any journaled check (tier 1, 2 or 3) at Minor or worse: one BALANCE_MISMATCH, index `check`,
//     expected = bank, actual = ledger, difference = ledger − bank, threshold_exceeded = the level.
//     Checks are journaled only when the level changes (statements always), so a Minor account
//     does not get a row per booking.
//
// Severity: a check's level. An entry or chain discrepancy is judged by its amount against the
// account's balance (the statement's closing) with the same thresholds, as if the books were that
// amount apart from the bank; never below MINOR (it is a discrepancy either way). A SEQUENCE_GAP
// has no amount: a missing sequence number is MINOR, a gap or an overlap SIGNIFICANT, because a
// statement that never arrived hides bookings nobody has seen.

import BigNumber from 'bignumber.js';
import type { StatementDiscrepancy } from '../account/commands.ts';
import type { AccountEvent, StatementReconciled } from '../account/events.ts';
import type { ReconciliationCheck } from '../account/reconciliation.ts';
import { formatAmount } from '../money.ts';
import { compareBalances, THRESHOLDS_DEFAULT, type ThresholdLevel, type Thresholds } from './thresholds.ts';

export type Severity = 'MINOR' | 'SIGNIFICANT' | 'CRITICAL';
export const SEVERITIES: readonly Severity[] = ['MINOR', 'SIGNIFICANT', 'CRITICAL'];

export interface DiscrepancyRecord {
  readonly sourceKey: string;
  /** The account's journal actor id and the parts the directory is looked up by. */
  readonly actor: string;
  readonly accountKey: string;
  readonly currency: string;
  readonly tier: 1 | 2 | 3;
  readonly type: StatementDiscrepancy['type'];
  readonly severity: Severity;
  readonly thresholdExceeded: Severity | null;
  readonly expected: BigNumber | null;
  readonly actual: BigNumber | null;
  readonly difference: BigNumber | null;
  readonly detail: string;
  /** The message the event came from (its journal message id). */
  readonly messageId: string;
  readonly statementId: string | null;
}

export interface SnapshotRecord {
  readonly actor: string;
  readonly accountKey: string;
  readonly currency: string;
  readonly seq: number;
  readonly date: string;
  readonly ledger: BigNumber;
  readonly bank: BigNumber;
  readonly reserved: BigNumber;
  readonly available: BigNumber;
  readonly difference: BigNumber;
  readonly reconciled: boolean;
  readonly level: ThresholdLevel;
  readonly statementId: string;
  readonly messageId: string;
  readonly matched: number;
  readonly discrepancies: number;
}

export interface Derived {
  readonly discrepancies: readonly DiscrepancyRecord[];
  readonly snapshot: SnapshotRecord | null;
}

const NOTHING: Derived = Object.freeze({ discrepancies: [], snapshot: null });

/** `account:<id>:<CCY>` → id and currency (an id may hold colons itself). */
export function accountParts(actor: string): { readonly accountKey: string; readonly currency: string } {
  const last = actor.lastIndexOf(':');
  return { accountKey: actor.slice('account:'.length, last), currency: actor.slice(last + 1) };
}

const SEVERITY_OF: Readonly<Record<ThresholdLevel, Severity>> = { Ok: 'MINOR', Minor: 'MINOR', Significant: 'SIGNIFICANT', Critical: 'CRITICAL' };

/** A statement's reconciliation is clean: the books agree with the closing and nothing is open. */
export function reconciledCleanly(event: StatementReconciled): boolean {
  return event.check.level === 'Ok' && event.discrepancies.length === 0;
}

/** The severity of a discrepancy of `amount` on an account whose balance is `balance` (see the header). */
export function severityOfAmount(amount: BigNumber, balance: BigNumber, thresholds: Thresholds = THRESHOLDS_DEFAULT): Severity {
  const a = amount.abs();
  // Books short of the bank by `a`: the under-backing rule (books above the bank) must not decide this.
  return SEVERITY_OF[compareBalances(balance.minus(a), balance, thresholds).level];
}

function amountOf(d: StatementDiscrepancy): BigNumber | null {
  if (d.expected !== null && d.actual !== null) return d.type === 'DUPLICATE_TXN' ? d.actual : d.actual.minus(d.expected);
  return d.expected ?? d.actual;
}

function checkRecord(actor: string, seq: number, messageId: string, check: ReconciliationCheck, statementId: string | null): DiscrepancyRecord | null {
  if (check.level === 'Ok') return null;
  const { accountKey, currency } = accountParts(actor);
  const severity = SEVERITY_OF[check.level];
  const money = (v: BigNumber) => formatAmount(v, currency);
  return {
    sourceKey: `${actor}:${seq}:check`, actor, accountKey, currency, tier: check.tier, type: 'BALANCE_MISMATCH', severity, thresholdExceeded: severity,
    expected: check.bank, actual: check.ledger, difference: check.difference,
    detail: `tier ${check.tier} ${check.level}: ledger ${money(check.ledger)} vs bank ${money(check.bank)} (difference ${money(check.difference)})${check.trips ? '; breaker tripped' : ''}`,
    messageId, statementId,
  };
}

/** What one journaled account event at `seq` leaves in the read models. */
export function recordsOf(actor: string, seq: number, event: AccountEvent, thresholds: Thresholds = THRESHOLDS_DEFAULT): Derived {
  if (event.type === 'StatementReconciled') return statementRecords(actor, seq, event, thresholds);
  if (!('check' in event) || event.check === null) return NOTHING;
  const row = checkRecord(actor, seq, event.messageId, event.check, null);
  return row === null ? NOTHING : { discrepancies: [row], snapshot: null };
}

function statementRecords(actor: string, seq: number, event: StatementReconciled, thresholds: Thresholds): Derived {
  const { accountKey, currency } = accountParts(actor);
  const rows: DiscrepancyRecord[] = event.discrepancies.map((d, i) => {
    const amount = amountOf(d);
    const severity: Severity = d.type === 'SEQUENCE_GAP'
      ? (d.detail === 'missing' ? 'MINOR' : 'SIGNIFICANT')
      : severityOfAmount(amount ?? new BigNumber(0), event.closing, thresholds);
    // actual − expected, a missing side counting as zero; a double booking's is the doubled amount.
    const difference = d.type === 'SEQUENCE_GAP' ? null
      : d.type === 'DUPLICATE_TXN' ? d.actual
      : (d.actual ?? new BigNumber(0)).minus(d.expected ?? new BigNumber(0));
    return {
      sourceKey: `${actor}:${seq}:${i}`, actor, accountKey, currency, tier: 3, type: d.type, severity,
      // The level its amount reaches against the thresholds; a sequence gap has no amount to judge.
      thresholdExceeded: d.type === 'SEQUENCE_GAP' ? null : severity,
      expected: d.expected, actual: d.actual, difference,
      detail: d.type === 'SEQUENCE_GAP' ? `sequence ${d.detail} at statement ${event.statementId} (ElctrncSeqNb ${event.sequence ?? 'absent'})` : d.detail,
      messageId: event.messageId, statementId: event.statementId,
    };
  });
  const check = checkRecord(actor, seq, event.messageId, event.check, event.statementId);
  if (check !== null) rows.push(check);
  const { ledger, bank, difference } = event.check;
  return {
    discrepancies: rows,
    snapshot: {
      actor, accountKey, currency, seq, date: event.date, ledger, bank, reserved: event.reserved, available: ledger.minus(event.reserved),
      difference, reconciled: reconciledCleanly(event), level: event.check.level, statementId: event.statementId, messageId: event.messageId,
      matched: event.matched, discrepancies: event.discrepancies.length,
    },
  };
}
