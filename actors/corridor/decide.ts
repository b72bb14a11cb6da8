// The corridor's decisions. Pure. Check order: duplicate message, currency, amounts, parties,
// duplicate obligation in the window, window capacity. An obligation id is unique within its
// window here; across windows its redelivery is caught by the message id (window + journal).

import { hasApplied } from '../applied.ts';
import { accept, reject, type Decision } from '../decision.ts';
import { checkAmount } from '../money.ts';
import type { AcceptBatchCommand, AcceptObligationCommand, CloseClearingWindowCommand, CorridorCommand } from './commands.ts';
import type { CorridorEvent } from './events.ts';
import { hasObligation, obligationsOf, type CorridorState } from './model.ts';

export function decideCorridor(state: CorridorState, command: CorridorCommand): Decision<CorridorEvent> {
  if (hasApplied(state.applied, command.messageId)) return reject('DUPLICATE', `message ${command.messageId} was already applied`);
  if (command.type === 'AcceptObligation') return decideAccept(state, command);
  if (command.type === 'AcceptBatch') return decideBatch(state, command);
  if (command.type === 'CloseClearingWindow') return decideCloseClearing(state, command);
  if (command.windowId !== state.windowId) {
    return reject('WINDOW_MISMATCH', `close of window ${command.windowId} while window ${state.windowId} is open`);
  }
  return accept({
    type: 'WindowClosed',
    messageId: command.messageId,
    windowId: state.windowId,
    count: state.count,
    gross: state.gross,
    obligations: obligationsOf(state.obligations),
  });
}

function decideAccept(state: CorridorState, command: AcceptObligationCommand): Decision<CorridorEvent> {
  const { key } = state;
  if (command.currency !== key.sourceCurrency) {
    return reject('CURRENCY_MISMATCH', `${command.currency} obligation in the ${key.sourceCurrency}→${key.targetCurrency} corridor`);
  }
  const problem =
    checkAmount(command.amount, key.sourceCurrency) ??
    (command.targetAmount === null ? null : checkAmount(command.targetAmount, key.targetCurrency));
  if (problem !== null) return { rejection: problem };
  if (command.payer === command.payee) return reject('SAME_PARTICIPANT', `${command.payer} owes itself`);
  if (hasObligation(state.obligations, command.obligationId)) {
    return reject('DUPLICATE_OBLIGATION', `obligation ${command.obligationId} is already in window ${state.windowId}`);
  }
  if (state.count >= state.limits.obligationsPerWindowMax) {
    return reject('WINDOW_FULL', `window ${state.windowId} holds ${state.count} obligations`);
  }
  const { obligationId, payer, payee, amount, targetAmount } = command;
  return accept({
    type: 'ObligationAccepted', messageId: command.messageId, windowId: state.windowId,
    obligation: { obligationId, payer, payee, amount, targetAmount },
  });
}

/**
 * A batch was validated by the clearing service (identity, participants, amounts, duplicates
 * forever); the corridor keeps the invariants that are its own: its currency, positive amounts, no
 * self-obligation, and the cut-off fence (nothing for a window it has closed). Window ids sort in
 * time order, so "closed or earlier" is a string comparison.
 */
function decideBatch(state: CorridorState, command: AcceptBatchCommand): Decision<CorridorEvent> {
  const { key, clearing } = state;
  if (command.currency !== key.sourceCurrency) {
    return reject('CURRENCY_MISMATCH', `${command.currency} obligations in the ${key.sourceCurrency}→${key.targetCurrency} corridor`);
  }
  if (clearing.closedThrough !== null && command.window <= clearing.closedThrough) {
    return reject('WINDOW_MISMATCH', `window ${command.window} is closed in this corridor (closed through ${clearing.closedThrough})`);
  }
  const { ids, payers, payees, units } = command;
  const n = ids.length;
  if (payers.length !== n || payees.length !== n || units.length !== n || (command.priorities !== null && command.priorities.length !== n) || (command.origins !== null && command.origins.length !== n)) {
    return reject('LIMIT_REACHED', `batch columns of different lengths (${n} ids)`);
  }
  for (let i = 0; i < n; i++) {
    if (units[i]! <= 0n) return reject('AMOUNT_NOT_POSITIVE', `obligation ${ids[i]}: ${units[i]} minor units`);
    if (payers[i] === payees[i]) return reject('SAME_PARTICIPANT', `obligation ${ids[i]}: ${payers[i]} owes itself`);
  }
  // The command's columns are the event's: decide copies nothing per obligation.
  return accept({
    type: 'ObligationsBatched', messageId: command.messageId, window: command.window, currency: command.currency,
    first: command.first, carried: command.carried, ids, payers, payees, units, priorities: command.priorities, origins: command.origins,
  });
}

function decideCloseClearing(state: CorridorState, command: CloseClearingWindowCommand): Decision<CorridorEvent> {
  const { clearing } = state;
  if (clearing.closedThrough !== null && command.window <= clearing.closedThrough) {
    return reject('WINDOW_MISMATCH', `window ${command.window} is already closed here (closed through ${clearing.closedThrough})`);
  }
  const held = clearing.open.find((w) => w.window === command.window);
  return accept({ type: 'ClearingWindowClosed', messageId: command.messageId, window: command.window, count: held?.count ?? 0, units: held?.units ?? 0n });
}
