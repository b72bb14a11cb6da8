// The lifecycle of one clearing window as a journaled actor (`window:W20261201T0600Z`), issue 5:
//
//   NEW ─open─► OPEN ─cut-off─► CLOSING ─► NETTING ─result─► SETTLING ─all final─► COMPLETED
//                                                                    └─ any FAILED ─► FAILED
//   (any state but a final one can FAIL with a reason; closing a NEW window opens it first)
//
// OPEN: obligations accumulate (in the corridor actors' journals; the clearing service keeps the
// running positions). CLOSING: the cut-off is recorded; later arrivals go to the next window.
// NETTING: the inputs are frozen (every corridor fenced the window); netting is a pure function
// of them, so after a crash it is redone from the journal. SETTLING: the result is durable (the
// instructions, positions, metrics and excluded obligations); the settler pays the instructions
// and reports statuses, each one an event here. The window completes when every instruction is
// final and whatever rolls into the next window (excluded obligations, RETRY_NEXT_WINDOW
// instructions) has been carried there, so a restart at any point redoes only what is missing.
//
// Instruction statuses are one small code per instruction (not a map of objects): a window of
// 20,000 instructions receives ~40,000 updates, and each event copies the codes (20 KB memcpy)
// instead of a 20,000-entry map. Bank references and reasons live in the events and read models.

import { emptyWindow, type AppliedWindow } from '../../applied.ts';
import type { InstructionStatus } from '../ports.ts';

export type WindowPhase = 'NEW' | 'OPEN' | 'CLOSING' | 'NETTING' | 'SETTLING' | 'COMPLETED' | 'FAILED';

/** One currency of a netted window, in minor units. */
export interface CurrencyNetting {
  readonly currency: string;
  /** Everyone with a kept obligation in this currency, sorted. */
  readonly participants: readonly string[];
  /** Per participant (same order): net = grossIn − grossOut. */
  readonly net: readonly bigint[];
  readonly grossIn: readonly bigint[];
  readonly grossOut: readonly bigint[];
  /** Debtor → creditor, as indexes into `participants`; the n-th is `<window>-<CCY>-<n>`. */
  readonly from: readonly number[];
  readonly to: readonly number[];
  readonly units: readonly bigint[];
  readonly gross: bigint;
  readonly bilateral: bigint;
  readonly multilateral: bigint;
  readonly obligations: number;
  /** Whether the fewest instructions were searched exactly (instructions.ts). */
  readonly exact: boolean;
}

/** An obligation taken out under limits; it rolls into the next window. */
export interface ExcludedObligation {
  readonly id: string;
  readonly payer: string;
  readonly payee: string;
  readonly currency: string;
  readonly units: bigint;
  readonly priority: number;
  readonly reason: 'LIMIT_EXCEEDED';
  /** The short participant and how short it was when this was removed (minor units). */
  readonly participant: string;
  readonly shortfall: bigint;
}

export interface NettingResult {
  /** Sorted by currency. */
  readonly currencies: readonly CurrencyNetting[];
  readonly excluded: readonly ExcludedObligation[];
}

/** Status codes, in the order a status may move (a final one never moves again). */
export const STATUS_CODES = ['PENDING', 'SENT', 'CONFIRMED', 'FAILED', 'RETRY_NEXT_WINDOW', 'CARRIED'] as const;
export type StatusCode = 0 | 1 | 2 | 3 | 4 | 5;
export const PENDING = 0;
export const SENT = 1;
export const CONFIRMED = 2;
export const FAILED = 3;
export const RETRY_NEXT_WINDOW = 4;
/** RETRY_NEXT_WINDOW, and its carried obligation is journaled in a later window. */
export const CARRIED = 5;

export function statusCode(status: InstructionStatus): StatusCode {
  return STATUS_CODES.indexOf(status) as StatusCode;
}

/** What the API and the settler see (CARRIED is RETRY_NEXT_WINDOW done). */
export function statusName(code: number): InstructionStatus {
  return code === CARRIED ? 'RETRY_NEXT_WINDOW' : (STATUS_CODES[code] as InstructionStatus);
}

export function isFinal(code: number): boolean {
  return code >= CONFIRMED;
}

export interface WindowState {
  readonly id: string;
  readonly applied: AppliedWindow;
  readonly phase: WindowPhase;
  /** ISO 8601 UTC. */
  readonly openedAt: string | null;
  /** The cut-off as recorded (when the close happened). */
  readonly closedAt: string | null;
  readonly nettedAt: string | null;
  readonly endedAt: string | null;
  readonly result: NettingResult | null;
  /** One code per instruction, in result order (currencies, then plan order). */
  readonly statuses: Uint8Array;
  /** The excluded obligations are journaled in a later window. */
  readonly excludedCarried: boolean;
  readonly failure: string | null;
}

export const WINDOW_APPLIED_IDS_MAX = 64;

export function windowActorId(windowId: string): string {
  return `window:${windowId}`;
}

export function parseWindowActorId(actorId: string): string | null {
  const m = /^window:(W\d{8}T\d{4}Z)$/.exec(actorId);
  return m === null ? null : m[1]!;
}

export function initialWindow(id: string): WindowState {
  return {
    id, applied: emptyWindow(WINDOW_APPLIED_IDS_MAX), phase: 'NEW', openedAt: null, closedAt: null, nettedAt: null, endedAt: null,
    result: null, statuses: new Uint8Array(0), excludedCarried: false, failure: null,
  };
}

export function instructionId(windowId: string, currency: string, n: number): string {
  return `${windowId}-${currency}-${n}`;
}

export function instructionCount(result: NettingResult): number {
  let n = 0;
  for (const c of result.currencies) n += c.units.length;
  return n;
}

const ordinals = new WeakMap<NettingResult, Map<string, number>>();

/** The position of an instruction in `statuses`, from its id; undefined for an unknown id. */
export function ordinalOf(windowId: string, result: NettingResult, id: string): number | undefined {
  let byId = ordinals.get(result);
  if (byId === undefined) {
    byId = new Map();
    let at = 0;
    for (const c of result.currencies) {
      for (let i = 0; i < c.units.length; i++) byId.set(instructionId(windowId, c.currency, i + 1), at++);
    }
    ordinals.set(result, byId);
  }
  return byId.get(id);
}

/** Every instruction final, and what rolls over carried: the window may end. */
export function settled(state: WindowState): boolean {
  if (state.result === null) return false;
  if (state.result.excluded.length > 0 && !state.excludedCarried) return false;
  for (const s of state.statuses) if (!isFinal(s) || s === RETRY_NEXT_WINDOW) return false;
  return true;
}
