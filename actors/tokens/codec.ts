// The token ledger state as JSON, for snapshots and for comparing a replayed state with the live one.

import { appliedWindowCodec } from '../applied.ts';
import { breakerCodec } from '../breaker.ts';
import { decimal, map, object, text, type Codec } from '../codec.ts';
import type { TokenLedgerState } from './model.ts';

export const tokenStateCodec: Codec<TokenLedgerState> = object<TokenLedgerState>({
  currency: text,
  applied: appliedWindowCodec,
  balances: map(decimal),
  outstanding: decimal,
  breaker: breakerCodec,
});
