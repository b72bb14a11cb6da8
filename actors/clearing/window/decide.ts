// The window's decisions. Pure. See model.ts for the lifecycle.

import { accept, reject, type Decision } from '../../decision.ts';
import type { RecordInstructions, RecordRollOver, WindowCommand } from './commands.ts';
import type { InstructionChange, WindowEvent } from './events.ts';
import { evolveWindow } from './evolve.ts';
import { CARRIED, FAILED, ordinalOf, RETRY_NEXT_WINDOW, settled, statusCode, STATUS_CODES, type WindowState } from './model.ts';

const NOTHING = accept<WindowEvent>();

export function decideWindow(state: WindowState, command: WindowCommand): Decision<WindowEvent> {
  const { phase } = state;
  const { messageId, at } = command;
  const ended = phase === 'COMPLETED' || phase === 'FAILED';
  switch (command.type) {
    case 'Touch':
      return NOTHING;
    case 'OpenWindow':
      return phase === 'NEW' ? accept({ type: 'WindowOpened', messageId, at }) : NOTHING;
    case 'CloseWindow': {
      const events: WindowEvent[] = [];
      if (phase === 'NEW') events.push({ type: 'WindowOpened', messageId: `${messageId}:open`, at });
      if (phase === 'NEW' || phase === 'OPEN') events.push({ type: 'WindowClosing', messageId, at });
      if (command.net && (phase === 'NEW' || phase === 'OPEN' || phase === 'CLOSING')) events.push({ type: 'NettingStarted', messageId: `${messageId}:net`, at });
      return accept(...events);
    }
    case 'StartNetting':
      if (phase === 'NEW' || phase === 'OPEN') return reject('WINDOW_MISMATCH', `window ${state.id} is ${phase}: close it before netting`);
      return phase === 'CLOSING' ? accept({ type: 'NettingStarted', messageId, at }) : NOTHING;
    case 'RecordNetting': {
      if (phase !== 'NETTING') {
        if (phase === 'SETTLING' || ended) return NOTHING;
        return reject('WINDOW_MISMATCH', `window ${state.id} is ${phase}: a result is recorded in NETTING`);
      }
      return withEnd(state, [{ type: 'WindowNetted', messageId, at, result: command.result }], at);
    }
    case 'RecordInstructions':
      return recordInstructions(state, command);
    case 'RecordRollOver':
      return recordRollOver(state, command);
    case 'FailWindow':
      if (ended) return NOTHING;
      return accept({ type: 'WindowFailed', messageId, at, reason: command.reason });
  }
}

/** Only the changes that move a status forward; unknown instructions are refused (a wiring bug). */
function recordInstructions(state: WindowState, command: RecordInstructions): Decision<WindowEvent> {
  if (state.phase !== 'SETTLING') {
    if (state.phase === 'COMPLETED' || state.phase === 'FAILED') return NOTHING;
    return reject('WINDOW_MISMATCH', `window ${state.id} is ${state.phase}: instruction statuses come in SETTLING`);
  }
  const result = state.result!;
  const changes: InstructionChange[] = [];
  const next = new Map<number, number>();
  for (const c of command.changes) {
    const at = ordinalOf(state.id, result, c.instructionId);
    if (at === undefined) return reject('WINDOW_MISMATCH', `instruction ${c.instructionId} is not one of window ${state.id}`);
    const current = next.get(at) ?? state.statuses[at]!;
    const code = statusCode(c.status);
    if (!movesForward(current, code)) continue;
    next.set(at, code);
    changes.push(c);
  }
  if (changes.length === 0) return NOTHING;
  return withEnd(state, [{ type: 'InstructionsUpdated', messageId: command.messageId, at: command.at, changes }], command.at);
}

/** PENDING < SENT < a final status; a final status never changes (the first one wins). */
function movesForward(current: number, code: number): boolean {
  if (current >= 2) return false;
  return code > current;
}

function recordRollOver(state: WindowState, command: RecordRollOver): Decision<WindowEvent> {
  if (state.phase !== 'SETTLING') {
    if (state.phase === 'COMPLETED' || state.phase === 'FAILED') return NOTHING;
    return reject('WINDOW_MISMATCH', `window ${state.id} is ${state.phase}: roll-overs come in SETTLING`);
  }
  const result = state.result!;
  const instructions: string[] = [];
  for (const id of command.instructions) {
    const at = ordinalOf(state.id, result, id);
    if (at === undefined) return reject('WINDOW_MISMATCH', `instruction ${id} is not one of window ${state.id}`);
    if (state.statuses[at] === RETRY_NEXT_WINDOW) instructions.push(id);
    else if (state.statuses[at] !== CARRIED) return reject('WINDOW_MISMATCH', `instruction ${id} is ${STATUS_CODES[state.statuses[at]!]}, not RETRY_NEXT_WINDOW`);
  }
  const excluded = command.excluded && !state.excludedCarried && result.excluded.length > 0;
  if (instructions.length === 0 && !excluded) return NOTHING;
  return withEnd(state, [{ type: 'RolledOver', messageId: command.messageId, at: command.at, into: command.into, instructions, excluded }], command.at);
}

/** `events`, then the end of the window when they leave everything final and carried. */
function withEnd(state: WindowState, events: WindowEvent[], at: string): Decision<WindowEvent> {
  let after = state;
  for (const e of events) after = evolveWindow(after, e);
  if (!settled(after)) return accept(...events);
  const failed: string[] = [];
  const result = after.result!;
  let ordinal = 0;
  for (const c of result.currencies) {
    for (let i = 0; i < c.units.length; i++, ordinal++) if (after.statuses[ordinal] === FAILED) failed.push(`${state.id}-${c.currency}-${i + 1}`);
  }
  const id = `end:${state.id}`;
  if (failed.length === 0) return accept(...events, { type: 'WindowCompleted', messageId: id, at });
  const shown = failed.slice(0, 5).join(', ') + (failed.length > 5 ? ` and ${failed.length - 5} more` : '');
  return accept(...events, { type: 'WindowFailed', messageId: id, at, reason: `${failed.length} settlement instruction(s) failed: ${shown}` });
}
