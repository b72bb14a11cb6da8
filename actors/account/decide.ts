// The account's decisions: from its state and a command to one event, or a rejection. Pure: no
// clock, no I/O, no randomness; everything it needs (the backing headroom of client funds, the
// statement date) comes in the command. The order of checks is fixed and documented by the tests:
// duplicate, opened, currency, amount, breaker, then the business rule.

import BigNumber from 'bignumber.js';
import { hasApplied } from '../applied.ts';
import { accept, reject, type Decision, type Rejection } from '../decision.ts';
import { checkAmount, checkCurrency, show } from '../money.ts';
import { checkContinuity } from '../reconciliation/statement-continuity.ts';
import { compareBalances, THRESHOLDS_DEFAULT, type Thresholds } from '../reconciliation/thresholds.ts';
import type {
  AccountCommand, DebitLedgerCommand, ExpectPayInCommand, ObserveBankBalanceCommand, OpenAccountCommand, RecordBankEntryCommand,
  ReconcileStatementCommand, ReserveCommand, StatementDiscrepancy,
} from './commands.ts';
import type { AccountEvent } from './events.ts';
import { available, type AccountState, type OpenAccount } from './model.ts';
import { conflictingPayIn, matchPayIn, usableReference } from './pay-in.ts';
import { bankAfter, checkBalances, coveredByStatement, payoutsSuspended } from './reconciliation.ts';

/** `thresholds`: the reconciliation levels in force (configuration; events record their outcome). */
export function decideAccount(state: AccountState, command: AccountCommand, thresholds: Thresholds = THRESHOLDS_DEFAULT): Decision<AccountEvent> {
  if (hasApplied(state.applied, command.messageId)) return reject('DUPLICATE', `message ${command.messageId} was already applied`);
  if (command.type === 'OpenAccount') return decideOpen(state, command);
  if (state.status !== 'open') return reject('ACCOUNT_NOT_OPEN');
  const { messageId } = command;
  switch (command.type) {
    case 'RecordBankEntry':
      return decideBankEntry(state, command, thresholds);
    case 'ObserveBankBalance':
      return decideObservation(state, command, thresholds);
    case 'ReconcileStatement':
      return decideStatement(state, command, thresholds);
    case 'ExpectPayIn':
      return decideExpectPayIn(state, command);
    case 'Reserve':
      return decideReserve(state, command);
    case 'Release': {
      const amount = state.reservations.get(command.reservationId);
      if (amount === undefined) return reject('RESERVATION_UNKNOWN', `no reservation ${command.reservationId}`);
      return accept({ type: 'FundsReleased', messageId, reservationId: command.reservationId, amount });
    }
    case 'DebitLedger':
      return decideDebit(state, command);
    case 'CreditLedger': {
      // Incoming money is never stopped by the breaker: the books must keep catching up.
      const problem = checkMoney(state, command.currency, command.amount);
      if (problem !== null) return { rejection: problem };
      return accept({ type: 'LedgerCredited', messageId, amount: command.amount, reference: command.reference });
    }
    case 'SetBankBalance': {
      // A bank balance may be zero or negative (an overdrawn account): only its precision is checked.
      const problem = checkMoney(state, command.currency, command.balance.abs(), true);
      if (problem !== null) return { rejection: problem };
      return accept({ type: 'BankBalanceSet', messageId, balance: command.balance, asOf: command.asOf });
    }
    case 'TripBreaker':
      return accept({ type: 'BreakerTripped', messageId, reason: command.reason });
    case 'ResetBreaker': {
      // Only once the books are back within Minor of the bank: a reset into a Critical difference
      // would let money leave an account whose balance nobody can vouch for.
      const { level } = compareBalances(state.ledger, state.bank, thresholds);
      if (level === 'Significant' || level === 'Critical') {
        return reject('RECONCILIATION_OUT_OF_RANGE', `account ${state.ref.id}: ledger and bank are ${level} apart; reconcile first`);
      }
      const check = checkBalances({ ...state, breaker: { open: false, reason: null } }, 1, state.ledger, state.bank, thresholds, true);
      return accept({ type: 'BreakerReset', messageId, reason: command.reason, check });
    }
  }
}

function checkMoney(state: OpenAccount, currency: string, amount: BigNumber, zeroAllowed = false): Rejection | null {
  if (currency !== state.ref.currency) {
    return reject('CURRENCY_MISMATCH', `${currency} amount for a ${state.ref.currency} account`).rejection;
  }
  return checkAmount(amount, currency, { zeroAllowed });
}

function decideOpen(state: AccountState, command: OpenAccountCommand): Decision<AccountEvent> {
  if (state.status === 'open') return reject('ACCOUNT_ALREADY_OPEN', `account ${state.ref.id} ${state.ref.currency} is already open`);
  const { ref } = command;
  const problem =
    checkCurrency(ref.currency) ??
    checkAmount(command.ledger, ref.currency, { zeroAllowed: true }) ??
    checkAmount(command.bank.abs(), ref.currency, { zeroAllowed: true });
  if (problem !== null) return { rejection: problem };
  return accept({
    type: 'AccountOpened', messageId: command.messageId, ref, accountType: command.accountType, ledger: command.ledger, bank: command.bank,
  });
}

function decideBankEntry(state: OpenAccount, command: RecordBankEntryCommand, thresholds: Thresholds): Decision<AccountEvent> {
  // Zero-amount entries exist (waived charges); they are recorded and move nothing.
  const problem = checkMoney(state, command.currency, command.entry.amount, true);
  if (problem !== null) return { rejection: problem };
  const { messageId, entry } = command;
  if (command.status === 'PDNG') return accept({ type: 'BankEntryPending', messageId, entry });
  if (command.status !== 'BOOK') return reject('ENTRY_NOT_BOOKABLE', `entry ${entry.key} has status ${command.status}`);
  // Tier 1: the comparison after this booking (the sign comes from CdtDbtInd, reversal or not).
  const bankMoved = !coveredByStatement(state, entry);
  const bank = bankAfter(state, entry);
  const match = matchPayIn(state.expected, entry);
  if (match === null) {
    return accept({ type: 'BankEntryBooked', messageId, entry, bankMoved, check: checkBalances(state, 1, state.ledger, bank, thresholds) });
  }
  const ledger = state.ledger.plus(entry.amount);
  return accept({ type: 'PayInMatched', messageId, entry, payIn: match.payIn, method: match.method, bankMoved, check: checkBalances(state, 1, ledger, bank, thresholds) });
}

function decideObservation(state: OpenAccount, command: ObserveBankBalanceCommand, thresholds: Thresholds): Decision<AccountEvent> {
  const problem = checkMoney(state, command.currency, command.balance.abs(), true);
  if (problem !== null) return { rejection: problem };
  const check = checkBalances(state, 2, state.ledger, command.balance, thresholds);
  // Same level as before: nothing to journal (tier 2 runs over every account every few minutes).
  if (check === null) return { events: [] };
  return accept({ type: 'BankBalanceObserved', messageId: command.messageId, balance: command.balance, asOf: command.asOf, check });
}

function decideStatement(state: OpenAccount, command: ReconcileStatementCommand, thresholds: Thresholds): Decision<AccountEvent> {
  const problem = checkMoney(state, command.currency, command.closing.abs(), true) ?? checkMoney(state, command.currency, command.opening.abs(), true);
  if (problem !== null) return { rejection: problem };
  if (state.statement !== null && command.date < state.statement.date) {
    return reject('STATEMENT_OUT_OF_ORDER', `statement of ${command.date} after the one of ${state.statement.date}`);
  }
  const last = state.statement;
  const previous = last === null ? null : { sequenceNumber: last.sequence, opening: last.closing, closing: last.closing, bookedSum: new BigNumber(0) };
  const chain: StatementDiscrepancy[] = checkContinuity(previous, {
    sequenceNumber: command.sequence, opening: command.opening, closing: command.closing, bookedSum: command.bookedSum,
  }).map((d) => d.type === 'SEQUENCE_GAP'
    ? { type: 'SEQUENCE_GAP', detail: d.kind, reference: command.statementId, expected: null, actual: null }
    : { type: 'BALANCE_MISMATCH', detail: d.kind === 'opening' ? 'opening differs from the previous closing' : 'opening + entries differ from the closing', reference: command.statementId, expected: d.expected, actual: d.actual });
  const check = checkBalances(state, 3, state.ledger, command.closing, thresholds, true)!;
  return accept({
    type: 'StatementReconciled', messageId: command.messageId, statementId: command.statementId, date: command.date,
    sequence: command.sequence, opening: command.opening, closing: command.closing, matched: command.matched, reserved: state.reserved,
    discrepancies: [...chain, ...command.discrepancies], check,
  });
}

function decideExpectPayIn(state: OpenAccount, command: ExpectPayInCommand): Decision<AccountEvent> {
  const problem = checkMoney(state, command.currency, command.amount);
  if (problem !== null) return { rejection: problem };
  const payIn = {
    payInId: command.payInId,
    participant: command.participant,
    amount: command.amount,
    endToEndId: usableReference(command.endToEndId),
    uetr: usableReference(command.uetr),
  };
  if (payIn.endToEndId === null && payIn.uetr === null) return reject('REFERENCE_MISSING');
  const other = conflictingPayIn(state.expected, payIn);
  if (other !== null) return reject('REFERENCE_IN_USE', `pay-in ${other} already uses this id or reference`);
  if (state.expected.size >= state.limits.expectedPayInsMax) {
    return reject('LIMIT_REACHED', `${state.expected.size} expected pay-ins is the maximum`);
  }
  return accept({ type: 'PayInExpected', messageId: command.messageId, payIn });
}

function decideReserve(state: OpenAccount, command: ReserveCommand): Decision<AccountEvent> {
  const problem = checkMoney(state, command.currency, command.amount);
  if (problem !== null) return { rejection: problem };
  if (state.breaker.open) return reject('BREAKER_OPEN', `account ${state.ref.id}: breaker open (${state.breaker.reason ?? 'no reason'})`);
  if (payoutsSuspended(state)) return reject('PAYOUTS_SUSPENDED', `account ${state.ref.id}: reconciliation ${state.reconciliation}`);
  if (state.reservations.has(command.reservationId)) return reject('RESERVATION_EXISTS', `reservation ${command.reservationId} exists`);
  if (state.reservations.size >= state.limits.reservationsMax) {
    return reject('LIMIT_REACHED', `${state.reservations.size} reservations is the maximum`);
  }
  const free = available(state);
  if (command.amount.isGreaterThan(free)) {
    return reject('INSUFFICIENT_FUNDS', `reserve ${show(command.amount, command.currency)}: available ${show(free, command.currency)}`);
  }
  return accept({ type: 'FundsReserved', messageId: command.messageId, reservationId: command.reservationId, amount: command.amount });
}

function decideDebit(state: OpenAccount, command: DebitLedgerCommand): Decision<AccountEvent> {
  const { currency, amount } = command;
  const problem = checkMoney(state, currency, amount);
  if (problem !== null) return { rejection: problem };
  if (state.breaker.open) return reject('BREAKER_OPEN', `account ${state.ref.id}: breaker open (${state.breaker.reason ?? 'no reason'})`);
  if (payoutsSuspended(state)) return reject('PAYOUTS_SUSPENDED', `account ${state.ref.id}: reconciliation ${state.reconciliation}`);
  let released = new BigNumber(0);
  if (command.reservationId !== null) {
    const reservation = state.reservations.get(command.reservationId);
    if (reservation === undefined) return reject('RESERVATION_UNKNOWN', `no reservation ${command.reservationId}`);
    if (amount.isGreaterThan(reservation)) {
      return reject('RESERVATION_EXCEEDED', `debit ${show(amount, currency)} over reservation ${show(reservation, currency)}`);
    }
    released = reservation;
  } else if (amount.isGreaterThan(available(state))) {
    return reject('INSUFFICIENT_FUNDS', `debit ${show(amount, currency)}: available ${show(available(state), currency)}`);
  }
  if (state.type === 'client_funds') {
    if (command.backingHeadroom === null) return reject('BACKING_UNKNOWN');
    if (amount.isGreaterThan(command.backingHeadroom)) {
      return reject('BACKING_EXCEEDED', `debit ${show(amount, currency)}: backing headroom ${show(command.backingHeadroom, currency)}`);
    }
  }
  return accept({
    type: 'LedgerDebited', messageId: command.messageId, amount, reservationId: command.reservationId, released, reference: command.reference,
  });
}
