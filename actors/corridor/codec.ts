// The corridor state as JSON. The persistent obligation list is written oldest first, as an array.

import { appliedWindowCodec } from '../applied.ts';
import { array, decimal, defaulted, integer, nullable, object, text, type Codec } from '../codec.ts';
import { obligationCodec, unitsCodec } from './events.ts';
import { NO_CLEARING_WINDOWS, obligationsOf, type ClearingWindows, type ClearingWindowTotals, type CorridorKey, type CorridorLimits, type CorridorState, type ObligationList } from './model.ts';

const listCodec: Codec<ObligationList> = {
  encode: (list) => array(obligationCodec).encode(obligationsOf(list)),
  decode: (j, p = '') => array(obligationCodec).decode(j, p).reduce<ObligationList>((tail, head) => ({ head, tail }), null),
};

export const corridorStateCodec: Codec<CorridorState> = object<CorridorState>({
  key: object<CorridorKey>({ sourceCurrency: text, targetCurrency: text, sourceCountry: nullable(text), targetCountry: nullable(text) }),
  limits: object<CorridorLimits>({ appliedIdsMax: integer, obligationsPerWindowMax: integer }),
  applied: appliedWindowCodec,
  windowId: integer,
  obligations: listCodec,
  count: integer,
  gross: decimal,
  windowsClosed: integer,
  lifetimeCount: integer,
  lifetimeGross: decimal,
  clearing: defaulted(object<ClearingWindows>({
    open: array(object<ClearingWindowTotals>({ window: text, count: integer, units: unitsCodec })),
    closedThrough: nullable(text),
  }), NO_CLEARING_WINDOWS),
});
