// The corridor's state transitions. Accepting prepends to the persistent list (shares the rest);
// closing starts the next window empty and keeps only lifetime totals. An event for another window
// than the open one is a corrupt journal and throws.

import { remember } from '../applied.ts';
import { invariant } from '../decision.ts';
import { ZERO } from '../money.ts';
import type { CorridorEvent } from './events.ts';
import type { CorridorState } from './model.ts';

export function evolveCorridor(state: CorridorState, event: CorridorEvent): CorridorState {
  invariant(event.windowId === state.windowId, `${event.type} for window ${event.windowId}, open is ${state.windowId}`);
  const applied = remember(state.applied, event.messageId);
  if (event.type === 'ObligationAccepted') {
    const { amount } = event.obligation;
    return {
      ...state,
      applied,
      obligations: { head: event.obligation, tail: state.obligations },
      count: state.count + 1,
      gross: state.gross.plus(amount),
      lifetimeCount: state.lifetimeCount + 1,
      lifetimeGross: state.lifetimeGross.plus(amount),
    };
  }
  invariant(event.count === state.count, 'WindowClosed count differs from the window');
  return { ...state, applied, windowId: state.windowId + 1, obligations: null, count: 0, gross: ZERO, windowsClosed: state.windowsClosed + 1 };
}
