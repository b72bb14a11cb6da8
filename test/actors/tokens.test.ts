// Goal: mint, burn, transfer, convert and the breaker on real figures, with the 1:1 backing rule
// and the pay-in rule refused where they must be. Method: an xAED and an xUSD ledger driven
// through decide and evolve; the seed's 1000 USD → 3670 xAED conversion among the vectors.

import test from 'ava';
import { decideTokens } from '../../actors/tokens/decide.ts';
import { decideConvert } from '../../actors/tokens/convert.ts';
import { evolveTokens } from '../../actors/tokens/evolve.ts';
import { tokenEventCodec } from '../../actors/tokens/events.ts';
import { tokenStateCodec } from '../../actors/tokens/codec.ts';
import { balanceOf, initialTokenLedger, payInMintId, type TokenLedgerState } from '../../actors/tokens/model.ts';
import type { ConvertCommand, MintCommand, TokenCommand } from '../../actors/tokens/commands.ts';
import { fromJournal, toJournal } from '../../actors/journal-form.ts';
import { d, eventsOf, only, rejectionOf, run } from './helpers.ts';

const ACCOUNT = 'account:AE070331234567890123456:AED';
const operator = { kind: 'OPERATOR', operator: 'ops@deltran', reason: 'opening float' } as const;

function mint(messageId: string, participant: string, amount: string, backing: string, currency = 'AED'): MintCommand {
  return { type: 'Mint', messageId, participant, currency, amount: d(amount), source: operator, backingFiat: d(backing) };
}

const step = (s: TokenLedgerState, c: TokenCommand) => run(decideTokens, evolveTokens, s, [c]);
const bal = (s: TokenLedgerState, p: string) => balanceOf(s, p).toFixed(2);

test('Mint: within backing only, whatever the source', (t) => {
  const s = step(initialTokenLedger('AED'), mint('m1', 'BANK-A', '600000.00', '1000000.00'));
  t.is(bal(s, 'BANK-A'), '600000.00');
  t.is(s.outstanding.toFixed(2), '600000.00');
  t.is(rejectionOf(decideTokens(s, mint('m2', 'BANK-B', '400000.01', '1000000.00'))).code, 'BACKING_EXCEEDED');
  t.is(only(decideTokens(s, mint('m3', 'BANK-B', '400000.00', '1000000.00'))).type, 'TokensMinted', 'exactly at the backing is allowed');
  t.is(rejectionOf(decideTokens(s, mint('m1', 'BANK-B', '1', '1000000.00'))).code, 'DUPLICATE');
  t.is(rejectionOf(decideTokens(s, mint('m4', 'BANK-B', '1.001', '1000000.00'))).code, 'AMOUNT_PRECISION');
  t.is(rejectionOf(decideTokens(s, mint('m5', 'BANK-B', '-1', '1000000.00'))).code, 'AMOUNT_NOT_POSITIVE');
  t.is(rejectionOf(decideTokens(s, mint('m6', 'BANK-B', '1', '1000000.00', 'USD'))).code, 'CURRENCY_MISMATCH');
});

test('Mint against a pay-in: the booked amount, once, under the derived message id', (t) => {
  const source = { kind: 'PAY_IN', account: ACCOUNT, payInId: 'PI-1', amount: d('2499.50'), currency: 'AED' } as const;
  const good: MintCommand = { type: 'Mint', messageId: payInMintId(ACCOUNT, 'PI-1'), participant: 'BANK-A', currency: 'AED', amount: d('2499.50'), source, backingFiat: d('2499.50') };
  const s = step(initialTokenLedger('AED'), good);
  t.is(bal(s, 'BANK-A'), '2499.50');
  t.is(rejectionOf(decideTokens(s, good)).code, 'DUPLICATE');
  const fresh = initialTokenLedger('AED');
  t.is(rejectionOf(decideTokens(fresh, { ...good, messageId: 'other-id' })).code, 'MINT_SOURCE_MISMATCH');
  t.is(rejectionOf(decideTokens(fresh, { ...good, amount: d('2500.00') })).code, 'MINT_SOURCE_MISMATCH');
  t.is(rejectionOf(decideTokens(fresh, { ...good, backingFiat: d('2499.49') })).code, 'BACKING_EXCEEDED');
});

test('Burn: never below zero; the zero balance disappears', (t) => {
  const s = step(initialTokenLedger('AED'), mint('m1', 'BANK-A', '100.00', '100'));
  const burn = { type: 'Burn', messageId: 'b1', participant: 'BANK-A', currency: 'AED', amount: d('100.01'), reference: 'payout-1' } as const;
  t.is(rejectionOf(decideTokens(s, burn)).code, 'INSUFFICIENT_TOKENS');
  t.is(rejectionOf(decideTokens(s, { ...burn, participant: 'NOBODY', amount: d('0.01') })).code, 'INSUFFICIENT_TOKENS');
  const burned = step(s, { ...burn, amount: d('100.00') });
  t.is(burned.balances.size, 0);
  t.is(burned.outstanding.toFixed(), '0');
});

test('Transfer: conserves the total, refuses overdraft and self-transfer', (t) => {
  const s = step(initialTokenLedger('AED'), mint('m1', 'BANK-A', '500.00', '500'));
  const transfer = { type: 'Transfer', messageId: 't1', from: 'BANK-A', to: 'BANK-B', currency: 'AED', amount: d('120.40') } as const;
  const moved = step(s, transfer);
  t.is(bal(moved, 'BANK-A'), '379.60');
  t.is(bal(moved, 'BANK-B'), '120.40');
  t.is(moved.outstanding.toFixed(2), '500.00');
  t.is(rejectionOf(decideTokens(s, { ...transfer, amount: d('500.01') })).code, 'INSUFFICIENT_TOKENS');
  t.is(rejectionOf(decideTokens(s, { ...transfer, to: 'BANK-A' })).code, 'SAME_PARTICIPANT');
});

test('Convert: both legs in one decision, target cut down, target backing checked', (t) => {
  const usd = step(initialTokenLedger('USD'), mint('m1', 'BANK-A', '1000.00', '1000', 'USD'));
  const aed = initialTokenLedger('AED');
  const convert: ConvertCommand = {
    type: 'Convert', messageId: 'fx-1', participant: 'BANK-A', sourceCurrency: 'USD', targetCurrency: 'AED',
    amount: d('1000.00'), rate: d('3.67'), rateId: 'USDAED-2024-05-01', backingFiat: d('3670.00'),
  };
  const [legs] = eventsOf(decideConvert({ source: usd, target: aed }, convert));
  if (legs === undefined) return t.fail();
  t.is(legs.target.amount.toFixed(2), '3670.00');
  t.is(legs.source.targetAmount.toFixed(2), '3670.00');
  const usdAfter = evolveTokens(usd, legs.source);
  const aedAfter = evolveTokens(aed, legs.target);
  t.is(usdAfter.outstanding.toFixed(), '0');
  t.is(bal(aedAfter, 'BANK-A'), '3670.00');
  t.is(rejectionOf(decideConvert({ source: usdAfter, target: aedAfter }, convert)).code, 'DUPLICATE');
  const refused = (c: Partial<ConvertCommand>) => rejectionOf(decideConvert({ source: usd, target: aed }, { ...convert, ...c })).code;
  t.is(refused({ backingFiat: d('3669.99') }), 'BACKING_EXCEEDED');
  t.is(refused({ amount: d('1000.01') }), 'INSUFFICIENT_TOKENS');
  t.is(refused({ rate: d('0') }), 'RATE_INVALID');
  t.is(refused({ amount: d('0.01'), rate: d('0.5') }), 'CONVERSION_TOO_SMALL');
  t.is(refused({ targetCurrency: 'EUR' }), 'CURRENCY_MISMATCH');
  t.is(rejectionOf(decideConvert({ source: usd, target: usd }, { ...convert, targetCurrency: 'USD' })).code, 'SAME_CURRENCY');
  const small = eventsOf(decideConvert({ source: usd, target: aed }, { ...convert, amount: d('10.01'), rate: d('0.2727') }))[0];
  t.is(small?.target.amount.toFixed(), '2.72', '2.729727 is cut, never rounded up');
});

test('a tripped breaker refuses mints, transfers and conversions out or in; burns go on', (t) => {
  const s = step(step(initialTokenLedger('AED'), mint('m1', 'BANK-A', '10', '10')), { type: 'TripBreaker', messageId: 'trip', reason: 'Critical' });
  t.true(s.breaker.open);
  t.is(rejectionOf(decideTokens(s, mint('m2', 'BANK-A', '1', '100'))).code, 'BREAKER_OPEN');
  t.is(rejectionOf(decideTokens(s, { type: 'Transfer', messageId: 't', from: 'BANK-A', to: 'B', currency: 'AED', amount: d('1') })).code, 'BREAKER_OPEN');
  const usd = initialTokenLedger('USD');
  const convert: ConvertCommand = {
    type: 'Convert', messageId: 'fx', participant: 'BANK-A', sourceCurrency: 'AED', targetCurrency: 'USD', amount: d('1'), rate: d('0.27'), rateId: 'r', backingFiat: d('100'),
  };
  t.is(rejectionOf(decideConvert({ source: s, target: usd }, convert)).code, 'BREAKER_OPEN');
  t.is(only(decideTokens(s, { type: 'Burn', messageId: 'b', participant: 'BANK-A', currency: 'AED', amount: d('1'), reference: 'x' })).type, 'TokensBurned');
  t.false(step(s, { type: 'ResetBreaker', messageId: 'reset', reason: 'ok' }).breaker.open);
});

test('token events and state survive the journal form and JSON', (t) => {
  const e = only(decideTokens(initialTokenLedger('AED'), mint('m1', 'BANK-A', '12.30', '100')));
  const form = JSON.parse(JSON.stringify(toJournal(tokenEventCodec, e)));
  t.deepEqual(form, { type: 'TokensMinted', messageId: 'm1', payload: { participant: 'BANK-A', amount: '12.3', source: operator } });
  t.deepEqual(tokenEventCodec.encode(fromJournal(tokenEventCodec, form)), tokenEventCodec.encode(e));
  const s = evolveTokens(initialTokenLedger('AED'), e);
  t.deepEqual(tokenStateCodec.encode(tokenStateCodec.decode(JSON.parse(JSON.stringify(tokenStateCodec.encode(s))))), tokenStateCodec.encode(s));
});
