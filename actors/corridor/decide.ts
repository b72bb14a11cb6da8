// The corridor's decisions. Pure. Check order: duplicate message, currency, amounts, parties,
// duplicate obligation in the window, window capacity. An obligation id is unique within its
// window here; across windows its redelivery is caught by the message id (window + journal).

import { hasApplied } from '../applied.ts';
import { accept, reject, type Decision } from '../decision.ts';
import { checkAmount } from '../money.ts';
import type { AcceptObligationCommand, CorridorCommand } from './commands.ts';
import type { CorridorEvent } from './events.ts';
import { hasObligation, obligationsOf, type CorridorState } from './model.ts';

export function decideCorridor(state: CorridorState, command: CorridorCommand): Decision<CorridorEvent> {
  if (hasApplied(state.applied, command.messageId)) return reject('DUPLICATE', `message ${command.messageId} was already applied`);
  if (command.type === 'AcceptObligation') return decideAccept(state, command);
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
