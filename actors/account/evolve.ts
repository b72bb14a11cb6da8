// The account's state transitions: folding these over the journal rebuilds the live state, so
// they never refuse (the decision was made before the event was journaled) and never consult
// anything but the state and the event. They copy what they change and share the rest. A broken
// invariant here (a negative available balance, an event for an unopened account) is a bug or a
// corrupt journal, and throws so that the supervisor resets the actor.

import BigNumber from 'bignumber.js';
import { remember, type AppliedWindow } from '../applied.ts';
import { invariant } from '../decision.ts';
import { ZERO } from '../money.ts';
import type { AccountEvent } from './events.ts';
import { STATUS_OF, tripReason, type ReconciliationCheck } from './reconciliation.ts';
import { available, type AccountState, type BankEntry, type OpenAccount } from './model.ts';

const NONE: ReadonlyMap<never, never> = new Map<never, never>();
const NOTHING_BOOKED = { creditCount: 0, creditSum: ZERO, debitCount: 0, debitSum: ZERO } as const;
const CLOSED = { open: false, reason: null } as const;
const NO_ENTRIES: readonly BankEntry[] = [];

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  const applied = remember(state.applied, event.messageId);
  if (event.type === 'AccountOpened') {
    invariant(state.status === 'unopened', 'AccountOpened for an open account');
    // An opened account shares its empty collections and zero amounts: states are never mutated
    // (every change copies), and 100,000 idle accounts would otherwise hold 300,000 empty Maps
    // (and 100,000 empty arrays).
    return {
      status: 'open', limits: state.limits, applied, ref: event.ref, type: event.accountType,
      ledger: event.ledger.isZero() ? ZERO : event.ledger, bank: event.bank.isZero() ? ZERO : event.bank, reserved: ZERO,
      reservations: NONE, pending: NONE, pendingDropped: 0, booked: NOTHING_BOOKED,
      recentBooked: NO_ENTRIES, expected: NONE, reconciliation: 'UNCHECKED', breaker: CLOSED, statement: null,
    };
  }
  invariant(state.status === 'open', `${event.type} for an unopened account`);
  const next = applyOpen(state, applied, event);
  // Every case copies the state once with the new window (the hot path, a booked entry, made two
  // copies of the ~20 fields when the window was added first: bench/ingest). A case that forgot
  // it would lose the message id, and with it the duplicate check: caught here.
  invariant(next.applied === applied, `${event.type} lost the applied window`);
  // The balances are checked when they moved: an unchanged one was checked when it was set.
  if (next.reserved !== state.reserved) invariant(next.reserved.isGreaterThanOrEqualTo(0), 'reserved balance below zero');
  if (next.ledger !== state.ledger || next.reserved !== state.reserved) {
    invariant(available(next).isGreaterThanOrEqualTo(0), 'available balance below zero');
  }
  return next;
}

function applyOpen(state: OpenAccount, applied: AppliedWindow, event: Exclude<AccountEvent, { type: 'AccountOpened' }>): OpenAccount {
  switch (event.type) {
    case 'BankEntryPending':
      return addPending(state, applied, event.entry);
    case 'BankEntryBooked':
      return reconciled(book(state, applied, event.entry, event.bankMoved), event.check);
    case 'PayInMatched': {
      const booked = book(state, applied, event.entry, event.bankMoved);
      const expected = new Map(state.expected);
      expected.delete(event.payIn.payInId);
      return reconciled({ ...booked, ledger: booked.ledger.plus(event.entry.amount), expected }, event.check);
    }
    case 'BankBalanceObserved':
      return reconciled({ ...state, applied }, event.check);
    case 'StatementReconciled':
      return reconciled(
        { ...state, applied, bank: event.closing, statement: { id: event.statementId, date: event.date, sequence: event.sequence, closing: event.closing } },
        event.check,
      );
    case 'PayInExpected':
      return { ...state, applied, expected: new Map(state.expected).set(event.payIn.payInId, event.payIn) };
    case 'FundsReserved':
      return {
        ...state,
        applied,
        reservations: new Map(state.reservations).set(event.reservationId, event.amount),
        reserved: state.reserved.plus(event.amount),
      };
    case 'FundsReleased':
      return release({ ...state, applied }, event.reservationId, event.amount);
    case 'LedgerDebited': {
      const debited = { ...state, applied, ledger: state.ledger.minus(event.amount) };
      return event.reservationId === null ? debited : release(debited, event.reservationId, event.released);
    }
    case 'LedgerCredited':
      return { ...state, applied, ledger: state.ledger.plus(event.amount) };
    case 'BankBalanceSet':
      return { ...state, applied, bank: event.balance };
    case 'BreakerTripped':
      return { ...state, applied, breaker: { open: true, reason: event.reason } };
    case 'BreakerReset':
      return reconciled({ ...state, applied, breaker: { open: false, reason: event.reason } }, event.check);
  }
}

/** A journaled check sets the level and, when it trips, opens the breaker. */
function reconciled(state: OpenAccount, check: ReconciliationCheck | null): OpenAccount {
  if (check === null) return state;
  const level = STATUS_OF[check.level];
  if (!check.trips) return level === state.reconciliation ? state : { ...state, reconciliation: level };
  return { ...state, reconciliation: level, breaker: { open: true, reason: tripReason(check, state.ref.currency) } };
}

function release(state: OpenAccount, reservationId: string, amount: BigNumber): OpenAccount {
  invariant(state.reservations.get(reservationId)?.isEqualTo(amount) === true, `release of ${reservationId} does not match its reservation`);
  const reservations = new Map(state.reservations);
  reservations.delete(reservationId);
  return { ...state, reservations, reserved: state.reserved.minus(amount) };
}

/** A pending entry replaces an earlier one with the same key; the oldest goes when full. */
function addPending(state: OpenAccount, applied: AppliedWindow, entry: BankEntry): OpenAccount {
  const pending = new Map(state.pending);
  pending.delete(entry.key);
  pending.set(entry.key, entry);
  let dropped = 0;
  for (const key of pending.keys()) {
    if (pending.size <= state.limits.pendingEntriesMax) break;
    pending.delete(key);
    dropped++;
  }
  return { ...state, applied, pending, pendingDropped: state.pendingDropped + dropped };
}

/** Booking moves the bank balance by the entry's direction only (a reversal is not flipped). */
function book(state: OpenAccount, applied: AppliedWindow, entry: BankEntry, bankMoved: boolean): OpenAccount {
  const credit = entry.direction === 'CRDT';
  const { booked } = state;
  let pending = state.pending;
  if (pending.has(entry.key)) {
    const copy = new Map(pending);
    copy.delete(entry.key);
    pending = copy;
  }
  return {
    ...state,
    applied,
    bank: bankMoved ? (credit ? state.bank.plus(entry.amount) : state.bank.minus(entry.amount)) : state.bank,
    pending,
    booked: credit
      ? { ...booked, creditCount: booked.creditCount + 1, creditSum: booked.creditSum.plus(entry.amount) }
      : { ...booked, debitCount: booked.debitCount + 1, debitSum: booked.debitSum.plus(entry.amount) },
    recentBooked: appendRecent(state.recentBooked, entry, state.limits.recentBookedMax),
  };
}

/** The last `max` entries with `entry` at the end, in one array of its final size (was slice + spread: two). */
function appendRecent(recent: readonly BankEntry[], entry: BankEntry, max: number): readonly BankEntry[] {
  if (max === 0) return [];
  const n = recent.length;
  const drop = n >= max ? Math.min(n, n - max + 1) : 0;
  const next = new Array<BankEntry>(n - drop + 1);
  for (let i = drop; i < n; i++) next[i - drop] = recent[i]!;
  next[n - drop] = entry;
  return next;
}
