// The window's state transitions. An event that cannot follow the state is a corrupt journal and
// throws (the actor stops rather than guess).

import { remember } from '../../applied.ts';
import { invariant } from '../../decision.ts';
import type { WindowEvent } from './events.ts';
import { CARRIED, instructionCount, ordinalOf, statusCode, type WindowState } from './model.ts';

export function evolveWindow(state: WindowState, event: WindowEvent): WindowState {
  const applied = remember(state.applied, event.messageId);
  switch (event.type) {
    case 'WindowOpened':
      invariant(state.phase === 'NEW', `WindowOpened in ${state.phase}`);
      return { ...state, applied, phase: 'OPEN', openedAt: event.at };
    case 'WindowClosing':
      invariant(state.phase === 'OPEN', `WindowClosing in ${state.phase}`);
      return { ...state, applied, phase: 'CLOSING', closedAt: event.at };
    case 'NettingStarted':
      invariant(state.phase === 'CLOSING', `NettingStarted in ${state.phase}`);
      return { ...state, applied, phase: 'NETTING' };
    case 'WindowNetted':
      invariant(state.phase === 'NETTING', `WindowNetted in ${state.phase}`);
      return { ...state, applied, phase: 'SETTLING', nettedAt: event.at, result: event.result, statuses: new Uint8Array(instructionCount(event.result)) };
    case 'InstructionsUpdated': {
      invariant(state.phase === 'SETTLING', `InstructionsUpdated in ${state.phase}`);
      const statuses = state.statuses.slice();
      for (const c of event.changes) {
        const at = ordinalOf(state.id, state.result!, c.instructionId);
        invariant(at !== undefined, `unknown instruction ${c.instructionId}`);
        statuses[at] = statusCode(c.status);
      }
      return { ...state, applied, statuses };
    }
    case 'RolledOver': {
      invariant(state.phase === 'SETTLING', `RolledOver in ${state.phase}`);
      let statuses = state.statuses;
      if (event.instructions.length > 0) {
        statuses = statuses.slice();
        for (const id of event.instructions) statuses[ordinalOf(state.id, state.result!, id)!] = CARRIED;
      }
      return { ...state, applied, statuses, excludedCarried: state.excludedCarried || event.excluded };
    }
    case 'WindowCompleted':
      invariant(state.phase === 'SETTLING', `WindowCompleted in ${state.phase}`);
      return { ...state, applied, phase: 'COMPLETED', endedAt: event.at };
    case 'WindowFailed':
      invariant(state.phase !== 'COMPLETED' && state.phase !== 'FAILED', `WindowFailed in ${state.phase}`);
      return { ...state, applied, phase: 'FAILED', endedAt: event.at, failure: event.reason };
  }
}
