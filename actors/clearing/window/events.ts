// What happened to a clearing window, as journaled. WindowNetted carries the whole result of the
// window in columnar form (per currency: participants once, then indexes and minor units, each
// column one joined string, columns.ts): at 1,000 participants in 20 currencies it stays under a megabyte, and its instructions are
// what the settler is given again, unchanged, after any restart.

import { array, boolean, integer, literal, nullable, object, tagged, text, type Codec } from '../../codec.ts';
import { joinedIndexes, joinedUnits, joinedWords } from '../columns.ts';
import { unitsCodec } from '../../corridor/events.ts';
import type { InstructionStatus } from '../ports.ts';
import type { CurrencyNetting, ExcludedObligation, NettingResult } from './model.ts';

interface At {
  readonly messageId: string;
  /** ISO 8601 UTC, from the command (decide stays pure). */
  readonly at: string;
}

export interface WindowOpened extends At { readonly type: 'WindowOpened' }
export interface WindowClosing extends At { readonly type: 'WindowClosing' }
export interface NettingStarted extends At { readonly type: 'NettingStarted' }
export interface WindowNetted extends At { readonly type: 'WindowNetted'; readonly result: NettingResult }

export interface InstructionChange {
  readonly instructionId: string;
  readonly status: InstructionStatus;
  readonly bankReference: string | null;
  readonly reason: string | null;
}

/** The changes that moved a status (stale and repeated updates are dropped by decide). */
export interface InstructionsUpdated extends At { readonly type: 'InstructionsUpdated'; readonly changes: readonly InstructionChange[] }

/** Journaled in a later window: these RETRY_NEXT_WINDOW instructions and/or the excluded obligations. */
export interface RolledOver extends At {
  readonly type: 'RolledOver';
  readonly into: string;
  readonly instructions: readonly string[];
  readonly excluded: boolean;
}

export interface WindowCompleted extends At { readonly type: 'WindowCompleted' }
export interface WindowFailed extends At { readonly type: 'WindowFailed'; readonly reason: string }

export type WindowEvent =
  | WindowOpened | WindowClosing | NettingStarted | WindowNetted | InstructionsUpdated | RolledOver | WindowCompleted | WindowFailed;

const currencyCodec: Codec<CurrencyNetting> = object<CurrencyNetting>({
  currency: text, participants: joinedWords, net: joinedUnits, grossIn: joinedUnits, grossOut: joinedUnits,
  from: joinedIndexes, to: joinedIndexes, units: joinedUnits,
  gross: unitsCodec, bilateral: unitsCodec, multilateral: unitsCodec, obligations: integer, exact: boolean,
});

const excludedCodec: Codec<ExcludedObligation> = object<ExcludedObligation>({
  id: text, payer: text, payee: text, currency: text, units: unitsCodec, priority: integer,
  reason: literal('LIMIT_EXCEEDED'), participant: text, shortfall: unitsCodec,
});

export const resultCodec: Codec<NettingResult> = object<NettingResult>({ currencies: array(currencyCodec), excluded: array(excludedCodec) });

const changeCodec: Codec<InstructionChange> = object<InstructionChange>({
  instructionId: text,
  status: literal<InstructionStatus>('PENDING', 'SENT', 'CONFIRMED', 'FAILED', 'RETRY_NEXT_WINDOW'),
  bankReference: nullable(text),
  reason: nullable(text),
});

export const windowEventCodec: Codec<WindowEvent> = tagged<WindowEvent>({
  WindowOpened: object<WindowOpened>({ type: literal('WindowOpened'), messageId: text, at: text }),
  WindowClosing: object<WindowClosing>({ type: literal('WindowClosing'), messageId: text, at: text }),
  NettingStarted: object<NettingStarted>({ type: literal('NettingStarted'), messageId: text, at: text }),
  WindowNetted: object<WindowNetted>({ type: literal('WindowNetted'), messageId: text, at: text, result: resultCodec }),
  InstructionsUpdated: object<InstructionsUpdated>({ type: literal('InstructionsUpdated'), messageId: text, at: text, changes: array(changeCodec) }),
  RolledOver: object<RolledOver>({ type: literal('RolledOver'), messageId: text, at: text, into: text, instructions: array(text), excluded: boolean }),
  WindowCompleted: object<WindowCompleted>({ type: literal('WindowCompleted'), messageId: text, at: text }),
  WindowFailed: object<WindowFailed>({ type: literal('WindowFailed'), messageId: text, at: text, reason: text }),
});
