// What a corridor actor can be asked to do: accept an obligation into the open clearing window,
// and close that window (the clearing supervisor does, on its schedule or when the window is full).

import type BigNumber from 'bignumber.js';

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

export type CorridorCommand = AcceptObligationCommand | CloseWindowCommand;
