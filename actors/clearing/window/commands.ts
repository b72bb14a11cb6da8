// What the clearing service asks of a window. Each command is idempotent in its phase: one that
// is already satisfied (open an open window, close a closing one, a result for a netted window, a
// status an instruction already has or passed) decides no events, so a restart may send them all
// again; one that makes no sense in the phase (net an open window) is refused WINDOW_MISMATCH.

import type { InstructionChange } from './events.ts';
import type { NettingResult } from './model.ts';

interface Base {
  readonly messageId: string;
  /** ISO 8601 UTC: the service's clock, passed in so decide stays pure. */
  readonly at: string;
}

export interface OpenWindow extends Base { readonly type: 'OpenWindow' }
/** `net`: the cut-off and the start of netting at once (a close on demand): CLOSING and NETTING in one append. */
export interface CloseWindow extends Base { readonly type: 'CloseWindow'; readonly net: boolean }
export interface StartNetting extends Base { readonly type: 'StartNetting' }
export interface RecordNetting extends Base { readonly type: 'RecordNetting'; readonly result: NettingResult }
export interface RecordInstructions extends Base { readonly type: 'RecordInstructions'; readonly changes: readonly InstructionChange[] }
export interface RecordRollOver extends Base {
  readonly type: 'RecordRollOver';
  readonly into: string;
  readonly instructions: readonly string[];
  readonly excluded: boolean;
}
export interface FailWindow extends Base { readonly type: 'FailWindow'; readonly reason: string }
/** Decides nothing: loads the actor from the journal (recovery after a restart). */
export interface Touch extends Base { readonly type: 'Touch' }

export type WindowCommand = OpenWindow | CloseWindow | StartNetting | RecordNetting | RecordInstructions | RecordRollOver | FailWindow | Touch;
