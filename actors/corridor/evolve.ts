// The corridor's state transitions. Accepting prepends to the persistent list (shares the rest);
// closing starts the next window empty and keeps only lifetime totals. An event for another window
// than the open one is a corrupt journal and throws.

import { remember } from '../applied.ts';
import { invariant } from '../decision.ts';
import { ZERO } from '../money.ts';
import BigNumber from 'bignumber.js';
import { minorUnits } from '../../streams/iso20022/money.ts';
import type { ClearingWindowClosed, CorridorEvent, ObligationsBatched } from './events.ts';
import type { CorridorState } from './model.ts';

export function evolveCorridor(state: CorridorState, event: CorridorEvent): CorridorState {
  if (event.type === 'ObligationsBatched' || event.type === 'ClearingWindowClosed') return evolveClearing(state, event);
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

/** Batches add to their window's totals; a close drops the window and every earlier one. */
function evolveClearing(state: CorridorState, event: ObligationsBatched | ClearingWindowClosed): CorridorState {
  const applied = remember(state.applied, event.messageId);
  const { clearing } = state;
  if (event.type === 'ClearingWindowClosed') {
    return {
      ...state,
      applied,
      windowsClosed: state.windowsClosed + 1,
      clearing: { open: clearing.open.filter((w) => w.window > event.window), closedThrough: event.window },
    };
  }
  invariant(clearing.closedThrough === null || event.window > clearing.closedThrough, `batch for window ${event.window}, closed through ${clearing.closedThrough}`);
  let units = 0n;
  for (const u of event.units) units += u;
  const count = event.ids.length;
  const held = clearing.open.find((w) => w.window === event.window);
  const open = held === undefined
    ? [...clearing.open, { window: event.window, count, units }].sort((a, b) => (a.window < b.window ? -1 : 1))
    : clearing.open.map((w) => (w === held ? { window: w.window, count: w.count + count, units: w.units + units } : w));
  const digits = minorUnits(event.currency) ?? 0;
  return {
    ...state,
    applied,
    lifetimeCount: state.lifetimeCount + count,
    lifetimeGross: state.lifetimeGross.plus(new BigNumber(units.toString()).shiftedBy(-digits)),
    clearing: { open, closedThrough: clearing.closedThrough },
  };
}
