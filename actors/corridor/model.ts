// The state of one corridor actor: the obligations accepted in the current clearing window, with
// its gross volume and count, and lifetime totals. A corridor is a currency pair (AED→INR), plus
// the two participants' countries when those differ (a cross-border USD→USD corridor is not the
// domestic one). The window's obligations are a persistent list, newest first: accepting one
// shares the rest instead of copying a window of up to `obligationsPerWindowMax` entries, and the
// duplicate check is a linear scan of plain string compares (cheaper than copying a Set per event).

import type BigNumber from 'bignumber.js';
import { emptyWindow, type AppliedWindow } from '../applied.ts';
import { ZERO } from '../money.ts';

export interface CorridorKey {
  readonly sourceCurrency: string;
  readonly targetCurrency: string;
  /** Both null unless the participants' countries differ. */
  readonly sourceCountry: string | null;
  readonly targetCountry: string | null;
}

export function corridorKey(sourceCurrency: string, targetCurrency: string, sourceCountry?: string, targetCountry?: string): CorridorKey {
  const crossBorder = sourceCountry !== undefined && targetCountry !== undefined && sourceCountry !== targetCountry;
  return {
    sourceCurrency,
    targetCurrency,
    sourceCountry: crossBorder ? sourceCountry : null,
    targetCountry: crossBorder ? targetCountry : null,
  };
}

/** `corridor:AED-INR`, or `corridor:USD-USD:US-AE` when the countries are part of the key. */
export function corridorActorId(key: CorridorKey): string {
  const pair = `corridor:${key.sourceCurrency}-${key.targetCurrency}`;
  return key.sourceCountry === null ? pair : `${pair}:${key.sourceCountry}-${key.targetCountry ?? ''}`;
}

/** The inverse of corridorActorId; null when `id` is not a corridor id. */
export function parseCorridorActorId(id: string): CorridorKey | null {
  const m = /^corridor:([A-Z]{3})-([A-Z]{3})(?::([A-Z]{2})-([A-Z]{2}))?$/.exec(id);
  if (m === null) return null;
  return m[3] === undefined ? corridorKey(m[1]!, m[2]!) : corridorKey(m[1]!, m[2]!, m[3], m[4]!);
}

export interface Obligation {
  readonly obligationId: string;
  readonly payer: string;
  readonly payee: string;
  /** In the source currency. */
  readonly amount: BigNumber;
  /** In the target currency when already priced, else null. */
  readonly targetAmount: BigNumber | null;
}

export type ObligationList = { readonly head: Obligation; readonly tail: ObligationList } | null;

export interface CorridorLimits {
  readonly appliedIdsMax: number;
  /** When full, AcceptObligation is refused with WINDOW_FULL and the wiring closes the window early. */
  readonly obligationsPerWindowMax: number;
}

// A small applied window: corridors are fed only by the clearing service, whose batch ids are
// fresh UUIDs (a retry resends the same one at once) and whose fences and carries have fixed ids
// the journal's uniqueness answers as duplicates. Every command scans the window three times
// (runtime dedupe, decide, evolve): at 256 ids that was ~7 % of the accumulation CPU (bench/netting,
// 420 batch events per 10,000 obligations). Snapshots keep the size they were written with.
export const CORRIDOR_LIMITS_DEFAULT: CorridorLimits = { appliedIdsMax: 16, obligationsPerWindowMax: 10_000 };

export interface CorridorState {
  readonly key: CorridorKey;
  readonly limits: CorridorLimits;
  readonly applied: AppliedWindow;
  /** The open window, numbered from 1 per corridor. */
  readonly windowId: number;
  readonly obligations: ObligationList;
  readonly count: number;
  /** Σ obligation amounts in the source currency, this window. */
  readonly gross: BigNumber;
  readonly windowsClosed: number;
  readonly lifetimeCount: number;
  readonly lifetimeGross: BigNumber;
  /** The clearing engine's windows (issue 5), kept apart from the numbered window above. */
  readonly clearing: ClearingWindows;
}

/** What a corridor holds of each open clearing window (the obligations are in the journal only). */
export interface ClearingWindowTotals {
  readonly window: string;
  readonly count: number;
  /** Σ minor units. */
  readonly units: bigint;
}

export interface ClearingWindows {
  /** Open windows, oldest first (at most a few: the open one and one closing). */
  readonly open: readonly ClearingWindowTotals[];
  /** The latest window closed here: batches for it or an earlier one are refused. */
  readonly closedThrough: string | null;
}

export const NO_CLEARING_WINDOWS: ClearingWindows = { open: [], closedThrough: null };

export function initialCorridor(key: CorridorKey, limits: CorridorLimits = CORRIDOR_LIMITS_DEFAULT): CorridorState {
  return {
    key, limits, applied: emptyWindow(limits.appliedIdsMax), windowId: 1, obligations: null,
    count: 0, gross: ZERO, windowsClosed: 0, lifetimeCount: 0, lifetimeGross: ZERO, clearing: NO_CLEARING_WINDOWS,
  };
}

/** Oldest first, as netting and the journal read them. */
export function obligationsOf(list: ObligationList): Obligation[] {
  const out: Obligation[] = [];
  for (let node = list; node !== null; node = node.tail) out.push(node.head);
  return out.reverse();
}

export function hasObligation(list: ObligationList, obligationId: string): boolean {
  for (let node = list; node !== null; node = node.tail) if (node.head.obligationId === obligationId) return true;
  return false;
}
