// Control totals: a sender's own count and sum of what it sent (GrpHdr NbOfTxs/CtrlSum, PmtInf
// NbOfTxs/CtrlSum, TxsSummry) must equal what the message holds. Counts are whole numbers; sums are
// exact decimals (bignumber.js), and a sum is only compared when every amount added was readable:
// one malformed amount already has its own finding and would make the comparison noise.

import BigNumber from 'bignumber.js';
import { finding, type Finding } from '../findings.ts';
import type { Amount } from '../model.ts';
import { decimalNumberProblem, fromScaled, parseDecimal, scaledUnits, shownLike, usable } from './amount.ts';
import { NONE } from './scope.ts';

const COUNT = /^[0-9]{1,15}$/;

/** A running count and exact sum of amounts; `known` turns false once an amount was unreadable. */
export class Tally {
  count = 0;
  private units = 0n;
  known = true;
  readonly byCurrency = new Map<string, BigNumber>();

  /** `perCurrency`: also keep a sum per currency (only a total in one currency needs it). */
  constructor(private readonly perCurrency = false) {}

  add(a: Amount | undefined): void {
    this.count++;
    this.addAmount(a);
  }

  /** Adds to the sums without counting (an amount that belongs to an already counted item). */
  addAmount(a: Amount | undefined): void {
    if (!usable(a)) {
      this.known = false;
      return;
    }
    this.units += scaledUnits(a);
    if (this.perCurrency) this.byCurrency.set(a.currency, (this.byCurrency.get(a.currency) ?? new BigNumber(0)).plus(a.value));
  }

  /** The sum when every amount was readable. */
  total(): BigNumber | undefined {
    return this.known ? fromScaled(this.units) : undefined;
  }
}

/** NbOfTxs / NbOfNtries (Max15NumericText) against the number of items counted. */
export function checkCount(declared: string | undefined, actual: number, path: string, items: string): readonly Finding[] {
  if (declared === undefined) return NONE;
  if (!COUNT.test(declared)) return [finding('CONTROL_COUNT', path, `'${declared}' is not a number of ${items} (1 to 15 digits)`)];
  const n = Number(declared);
  if (n === actual) return NONE;
  return [finding('CONTROL_COUNT', path, `says ${n} ${items}, the message holds ${actual}`)];
}

/**
 * CtrlSum / Sum (DecimalNumber) against an exact sum. Not a number is AMOUNT_FORMAT; a difference is
 * CONTROL_SUM; an unknown actual sum (an unreadable amount) is not compared.
 */
export function checkSum(declared: string | undefined, actual: BigNumber | undefined, path: string, items: string): readonly Finding[] {
  if (declared === undefined) return NONE;
  const problem = decimalNumberProblem(declared);
  if (problem !== undefined) return [finding('AMOUNT_FORMAT', path, `control sum ${problem}`)];
  const value = parseDecimal(declared)!;
  if (actual === undefined || value.eq(actual)) return NONE;
  return [finding('CONTROL_SUM', path, `says ${declared}, the ${items} add up to ${shownLike(actual, declared)}`)];
}
