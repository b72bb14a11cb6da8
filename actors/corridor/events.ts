// What happened to a corridor, as journaled. `WindowClosed` carries the window's obligations (oldest
// first): it is the netting input, durable, so netting can be redone after a crash from that one
// event. Its size is bounded by limits.obligationsPerWindowMax.

import type BigNumber from 'bignumber.js';
import { array, decimal, integer, literal, nullable, object, tagged, text, type Codec } from '../codec.ts';
import type { Obligation } from './model.ts';

export interface ObligationAccepted {
  readonly type: 'ObligationAccepted';
  readonly messageId: string;
  readonly windowId: number;
  readonly obligation: Obligation;
}

export interface WindowClosed {
  readonly type: 'WindowClosed';
  readonly messageId: string;
  readonly windowId: number;
  readonly count: number;
  readonly gross: BigNumber;
  readonly obligations: readonly Obligation[];
}

export type CorridorEvent = ObligationAccepted | WindowClosed;

export const obligationCodec: Codec<Obligation> = object<Obligation>({
  obligationId: text, payer: text, payee: text, amount: decimal, targetAmount: nullable(decimal),
});

export const corridorEventCodec: Codec<CorridorEvent> = tagged<CorridorEvent>({
  ObligationAccepted: object<ObligationAccepted>({
    type: literal('ObligationAccepted'), messageId: text, windowId: integer, obligation: obligationCodec,
  }),
  WindowClosed: object<WindowClosed>({
    type: literal('WindowClosed'), messageId: text, windowId: integer, count: integer, gross: decimal, obligations: array(obligationCodec),
  }),
});
