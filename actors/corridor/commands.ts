// What a corridor actor can be asked to do: accept an obligation into the open clearing window,
// and close that window (the clearing supervisor does, on its schedule or when the window is full).

import type BigNumber from 'bignumber.js';
import type { ObligationOrigin } from '../clearing/ports.ts';

export interface AcceptObligationCommand {
  readonly type: 'AcceptObligation';
  readonly messageId: string;
  readonly obligationId: string;
  readonly payer: string;
  readonly payee: string;
  /** Must be the corridor's source currency. */
  readonly currency: string;
  readonly amount: BigNumber;
  readonly targetAmount: BigNumber | null;
}

export interface CloseWindowCommand {
  readonly type: 'CloseWindow';
  readonly messageId: string;
  /** The window the closer believes is open: a stale close is refused, never closes the next one. */
  readonly windowId: number;
}

/**
 * Many obligations of one clearing window at once (issue 5): the clearing service validated them
 * (participants, currency, amounts, duplicates forever) and groups each accepted batch by corridor,
 * so one journal event carries a corridor's share of a batch instead of one row per obligation.
 * Columnar (one array per field, same length): no object per obligation on the hot path. Amounts
 * are integer minor units of `currency`. `first` numbers the obligations in arrival order within
 * the window (the limits' "latest submitted" order), the i-th being `first + i`.
 */
export interface AcceptBatchCommand {
  readonly type: 'AcceptBatch';
  readonly messageId: string;
  /** A schedule.ts window id, `W20261201T0600Z`. */
  readonly window: string;
  readonly currency: string;
  readonly first: number;
  /** Obligations rolled over from an earlier window (excluded under limits, unpaid instructions). */
  readonly carried: boolean;
  /** Obligation ids: no control characters (the journal form separates them by newlines). */
  readonly ids: readonly string[];
  readonly payers: readonly string[];
  readonly payees: readonly string[];
  /** Minor units, each > 0. */
  readonly units: readonly bigint[];
  /** null when every priority is 0. */
  readonly priorities: readonly number[] | null;
  /** null when no obligation carries an origin. */
  readonly origins: readonly (ObligationOrigin | null)[] | null;
}

/** No batch of `window` or an earlier one is accepted after this (the durable cut-off fence). */
export interface CloseClearingWindowCommand {
  readonly type: 'CloseClearingWindow';
  readonly messageId: string;
  readonly window: string;
}

export type CorridorCommand = AcceptObligationCommand | CloseWindowCommand | AcceptBatchCommand | CloseClearingWindowCommand;
