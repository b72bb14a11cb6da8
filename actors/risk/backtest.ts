// Is a VaR model right? Walk forward, count the days whose loss exceeded the VaR computed the day
// before (exceptions), and judge the count two ways:
//
// - Kupiec's proportion-of-failures test: LR = −2 ln[(1 − p)^(T−x) p^x] + 2 ln[(1 − x/T)^(T−x) (x/T)^x]
//   with p = 1 − confidence, x exceptions in T days; LR is χ² with 1 degree of freedom under a
//   correct model, p-value = P(χ²₁ > LR) = erfc(√(LR/2)); the model is accepted at 95% when the
//   p-value is above 0.05 (LR below 3.8415).
// - The Basel traffic light: by the binomial probability of seeing at most x exceptions if the
//   model were right: green below 95%, yellow below 99.99%, red from there. For 250 days at 99%
//   this gives the published table: green 0–4, yellow 5–9, red 10 and more.
//
// The statistics are floats (they judge a model; no money moves on them); the exception count
// compares decimal losses with decimal VaRs.

import type BigNumber from 'bignumber.js';

export interface Kupiec {
  readonly exceptions: number;
  readonly days: number;
  readonly expected: number;
  readonly likelihoodRatio: number;
  readonly pValue: number;
  readonly accepted: boolean;
}

export type BaselZone = 'green' | 'yellow' | 'red';

/** Days t (from 1) where the loss −P&L(t) exceeded the VaR of day t − 1. */
export function countExceptions(pnl: readonly BigNumber[], varBefore: readonly BigNumber[]): number {
  if (pnl.length !== varBefore.length) throw new RangeError(`${pnl.length} P&L values for ${varBefore.length} VaRs`);
  let n = 0;
  pnl.forEach((p, i) => {
    if (p.negated().isGreaterThan(varBefore[i]!)) n++;
  });
  return n;
}

const xlogy = (x: number, y: number) => (x === 0 ? 0 : x * Math.log(y));

export function kupiec(exceptions: number, days: number, confidence: number): Kupiec {
  if (!Number.isSafeInteger(days) || days < 1 || !Number.isSafeInteger(exceptions) || exceptions < 0 || exceptions > days) {
    throw new RangeError(`${exceptions} exceptions in ${days} days`);
  }
  const p = 1 - confidence;
  const x = exceptions;
  const t = days;
  const phat = x / t;
  const likelihoodRatio = Math.max(0, -2 * (xlogy(t - x, 1 - p) + xlogy(x, p)) + 2 * (xlogy(t - x, 1 - phat) + xlogy(x, phat)));
  const pValue = erfc(Math.sqrt(likelihoodRatio / 2));
  return { exceptions: x, days: t, expected: p * t, likelihoodRatio, pValue, accepted: pValue > 0.05 };
}

/** P(X ≤ x) for X ~ Binomial(n, p), summed in log space (n in the thousands stays exact enough). */
export function binomialCdf(x: number, n: number, p: number): number {
  let sum = 0;
  let logC = 0; // ln C(n, 0)
  for (let k = 0; k <= x; k++) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    sum += Math.exp(logC + xlogy(k, p) + xlogy(n - k, 1 - p));
  }
  return Math.min(1, sum);
}

export function baselZone(exceptions: number, days: number, confidence: number): BaselZone {
  const cumulative = binomialCdf(exceptions, days, 1 - confidence);
  return cumulative < 0.95 ? 'green' : cumulative < 0.9999 ? 'yellow' : 'red';
}

/** erfc by W. J. Cody's rational approximations (relative error below 1e-14 in double). */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 0.5) return 1 - erf(x);
  if (x > 27) return 0;
  // Continued fraction (Lentz) for erfc, accurate for x ≥ 0.5.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** erf by its Maclaurin series (used below 0.5, where it converges in a few terms). */
function erf(x: number): number {
  let sum = x;
  let term = x;
  for (let n = 1; n < 60; n++) {
    term *= (-x * x) / n;
    const next = term / (2 * n + 1);
    sum += next;
    if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
