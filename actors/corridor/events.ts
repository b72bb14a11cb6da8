// What happened to a corridor, as journaled. `WindowClosed` carries the window's obligations (oldest
// first): it is the netting input, durable, so netting can be redone after a crash from that one
// event. Its size is bounded by limits.obligationsPerWindowMax.

import type BigNumber from 'bignumber.js';
import { array, boolean, CodecError, decimal, integer, literal, nullable, object, tagged, text, type Codec } from '../codec.ts';
import type { ObligationOrigin } from '../clearing/ports.ts';
import { joinedIds, joinedUnits, joinedWords } from '../clearing/columns.ts';
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

/**
 * A corridor's share of one accepted batch of a clearing window (issue 5), columnar: the journal
 * row stays small (no key repeated per obligation) and the netting input of the window is exactly
 * the ObligationsBatched events that name it. `units` are minor units of `currency`.
 */
export interface ObligationsBatched {
  readonly type: 'ObligationsBatched';
  readonly messageId: string;
  readonly window: string;
  readonly currency: string;
  readonly first: number;
  readonly carried: boolean;
  readonly ids: readonly string[];
  readonly payers: readonly string[];
  readonly payees: readonly string[];
  readonly units: readonly bigint[];
  /** null when every priority is 0 (the usual case). */
  readonly priorities: readonly number[] | null;
  /** null when no obligation carries an origin (the JSON endpoint). */
  readonly origins: readonly (ObligationOrigin | null)[] | null;
}

export interface ClearingWindowClosed {
  readonly type: 'ClearingWindowClosed';
  readonly messageId: string;
  readonly window: string;
  /** What the corridor holds of the window: its obligations and their sum in minor units. */
  readonly count: number;
  readonly units: bigint;
}

export type CorridorEvent = ObligationAccepted | WindowClosed | ObligationsBatched | ClearingWindowClosed;

/** Minor units as a decimal integer string (JSON numbers would go through a float). */
export const unitsCodec: Codec<bigint> = {
  encode: (v) => v.toString(),
  decode: (j, p = '') => {
    if (typeof j !== 'string' || !/^-?(0|[1-9]\d*)$/.test(j)) throw new CodecError(p, 'expected an integer string');
    return BigInt(j);
  },
};

const optionalText = nullable(text);
export const originCodec: Codec<ObligationOrigin> = {
  encode: (o) => ({
    messageId: o.messageId, messageType: o.messageType, sender: o.sender,
    instructionId: o.instructionId ?? null, endToEndId: o.endToEndId ?? null, transactionId: o.transactionId ?? null, uetr: o.uetr ?? null,
  }),
  decode: (j, p = '') => {
    const r = object<Record<'messageId' | 'messageType' | 'sender' | 'instructionId' | 'endToEndId' | 'transactionId' | 'uetr', string | null>>({
      messageId: text, messageType: text, sender: text, instructionId: optionalText, endToEndId: optionalText, transactionId: optionalText, uetr: optionalText,
    }).decode(j, p);
    const out: { -readonly [K in keyof ObligationOrigin]: ObligationOrigin[K] } = { messageId: r.messageId!, messageType: r.messageType!, sender: r.sender! };
    if (r.instructionId !== null) out.instructionId = r.instructionId;
    if (r.endToEndId !== null) out.endToEndId = r.endToEndId;
    if (r.transactionId !== null) out.transactionId = r.transactionId;
    if (r.uetr !== null) out.uetr = r.uetr;
    return out;
  },
};

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
  ObligationsBatched: object<ObligationsBatched>({
    type: literal('ObligationsBatched'), messageId: text, window: text, currency: text, first: integer, carried: boolean,
    ids: joinedIds, payers: joinedWords, payees: joinedWords, units: joinedUnits,
    priorities: nullable(array(integer)), origins: nullable(array(nullable(originCodec))),
  }),
  ClearingWindowClosed: object<ClearingWindowClosed>({
    type: literal('ClearingWindowClosed'), messageId: text, window: text, count: integer, units: unitsCodec,
  }),
});
