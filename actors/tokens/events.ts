// What happened to a token ledger, as journaled. A conversion is two events, one per ledger, both
// under the conversion's message id (unique per actor, so allowed) and appended in one journal
// batch, which is one transaction: both legs are durable or neither is.

import type BigNumber from 'bignumber.js';
import { decimal, literal, object, tagged, text, type Codec } from '../codec.ts';
import type { MintSource } from './model.ts';

export interface TokensMinted {
  readonly type: 'TokensMinted';
  readonly messageId: string;
  readonly participant: string;
  readonly amount: BigNumber;
  readonly source: MintSource;
}
export interface TokensBurned {
  readonly type: 'TokensBurned';
  readonly messageId: string;
  readonly participant: string;
  readonly amount: BigNumber;
  readonly reference: string;
}
export interface TokensTransferred {
  readonly type: 'TokensTransferred';
  readonly messageId: string;
  readonly from: string;
  readonly to: string;
  readonly amount: BigNumber;
}
/** The source leg: `amount` leaves the participant in this ledger. */
export interface TokensConvertedOut {
  readonly type: 'TokensConvertedOut';
  readonly messageId: string;
  readonly participant: string;
  readonly amount: BigNumber;
  readonly targetCurrency: string;
  readonly targetAmount: BigNumber;
  readonly rate: BigNumber;
  readonly rateId: string;
}
/** The target leg: `amount` arrives for the participant in this ledger. */
export interface TokensConvertedIn {
  readonly type: 'TokensConvertedIn';
  readonly messageId: string;
  readonly participant: string;
  readonly amount: BigNumber;
  readonly sourceCurrency: string;
  readonly sourceAmount: BigNumber;
  readonly rate: BigNumber;
  readonly rateId: string;
}
export interface TokenBreakerTripped {
  readonly type: 'TokenBreakerTripped';
  readonly messageId: string;
  readonly reason: string;
}
export interface TokenBreakerReset {
  readonly type: 'TokenBreakerReset';
  readonly messageId: string;
  readonly reason: string;
}

export type TokenEvent =
  | TokensMinted | TokensBurned | TokensTransferred | TokensConvertedOut | TokensConvertedIn | TokenBreakerTripped | TokenBreakerReset;

const mintSourceCodec: Codec<MintSource> = {
  encode: (s) => (s.kind === 'PAY_IN' ? payInSource.encode(s) : operatorSource.encode(s)),
  decode: (j, p = '') => ((j as { kind?: unknown } | null)?.kind === 'PAY_IN' ? payInSource.decode(j, p) : operatorSource.decode(j, p)),
};
const payInSource = object<Extract<MintSource, { kind: 'PAY_IN' }>>({
  kind: literal('PAY_IN'), account: text, payInId: text, amount: decimal, currency: text,
});
const operatorSource = object<Extract<MintSource, { kind: 'OPERATOR' }>>({ kind: literal('OPERATOR'), operator: text, reason: text });

const breakerChange = <T extends 'TokenBreakerTripped' | 'TokenBreakerReset'>(type: T) =>
  object<{ readonly type: T; readonly messageId: string; readonly reason: string }>({ type: literal(type), messageId: text, reason: text });

export const tokenEventCodec: Codec<TokenEvent> = tagged<TokenEvent>({
  TokensMinted: object<TokensMinted>({ type: literal('TokensMinted'), messageId: text, participant: text, amount: decimal, source: mintSourceCodec }),
  TokensBurned: object<TokensBurned>({ type: literal('TokensBurned'), messageId: text, participant: text, amount: decimal, reference: text }),
  TokensTransferred: object<TokensTransferred>({ type: literal('TokensTransferred'), messageId: text, from: text, to: text, amount: decimal }),
  TokensConvertedOut: object<TokensConvertedOut>({
    type: literal('TokensConvertedOut'), messageId: text, participant: text, amount: decimal,
    targetCurrency: text, targetAmount: decimal, rate: decimal, rateId: text,
  }),
  TokensConvertedIn: object<TokensConvertedIn>({
    type: literal('TokensConvertedIn'), messageId: text, participant: text, amount: decimal,
    sourceCurrency: text, sourceAmount: decimal, rate: decimal, rateId: text,
  }),
  TokenBreakerTripped: breakerChange('TokenBreakerTripped'),
  TokenBreakerReset: breakerChange('TokenBreakerReset'),
});
