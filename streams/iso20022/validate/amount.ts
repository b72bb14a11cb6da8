// Amount rules. The XSD facets of every ISO 20022 amount (xs:decimal, minInclusive 0, totalDigits
// 18, fractionDigits 5) are judged on the lexical text, because the decimal value alone cannot show
// a sign or a hexadecimal form that BigNumber would happily parse. The digit facets count digits of
// the value, as XSD does: leading zeros (`01.00`) and trailing fractional zeros (`18.150`) are not
// digits of the value, so `000000000000099.92` and `1.500000` are valid.
//
// Currency precision (ISO 4217 minor units) is judged the same way: only significant decimals count.
// Real bank files send `79255.00` JPY and `18.150` EUR; those values are whole yen and whole cents,
// so they pass; `18.155` EUR is a fraction of a cent and is flagged (a warning: the file is kept).

import BigNumber from 'bignumber.js';
import { finding, type Finding } from '../findings.ts';
import type { Amount } from '../model.ts';
import { minorUnits } from '../money.ts';
import { NONE } from './scope.ts';

// Character codes of '+', '-', '.', '0' and '9', for the scanner below.
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const AMOUNT_TOTAL_DIGITS = 18;
const AMOUNT_FRACTION_DIGITS = 5;
/** ISO 20022 `DecimalNumber` (CtrlSum, TxsSummry Sum): signed, 18 digits, 17 of them decimals. */
const NUMBER_FRACTION_DIGITS = 17;

export interface Digits {
  /** Digits of the value: integer part without leading zeros, fraction without trailing zeros. */
  readonly total: number;
  readonly fraction: number;
}

/**
 * Digit counts of an xs:decimal lexical form (`[+-]? (digits [. digits?] | . digits)`), or undefined
 * when it is not one. One pass without allocation: this runs for every amount of every record.
 */
export function decimalDigits(lexical: string): Digits | undefined {
  const n = lexical.length;
  let i = 0;
  const first = lexical.charCodeAt(0);
  if (first === PLUS || first === MINUS) i = 1;
  let dot = -1;
  let sawDigit = false;
  let intDigits = 0;
  let lastSignificantDecimal = -1;
  for (; i < n; i++) {
    const c = lexical.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      sawDigit = true;
      if (dot < 0) {
        if (intDigits > 0 || c !== ZERO) intDigits++;
      } else if (c !== ZERO) {
        lastSignificantDecimal = i;
      }
    } else if (c === DOT && dot < 0) {
      dot = i;
    } else {
      return undefined;
    }
  }
  if (!sawDigit) return undefined;
  const fraction = lastSignificantDecimal < 0 ? 0 : lastSignificantDecimal - dot;
  return { total: intDigits + fraction, fraction };
}

/** The lexical problem of an amount's text, as a sentence, or undefined when it is a valid amount. */
export function amountFormatProblem(lexical: string): string | undefined {
  const digits = decimalDigits(lexical);
  if (digits !== undefined && !signed(lexical)) return digitsProblem(lexical, digits);
  if (lexical === '') return 'the amount is empty';
  if (signed(lexical)) return `amount '${lexical}' carries a sign; amounts are unsigned and the direction is given by CdtDbtInd`;
  return `amount '${lexical}' is not a decimal number`;
}

function signed(lexical: string): boolean {
  const first = lexical.charCodeAt(0);
  return first === PLUS || first === MINUS;
}

function digitsProblem(lexical: string, digits: Digits): string | undefined {
  if (digits.fraction > AMOUNT_FRACTION_DIGITS) {
    return `amount '${lexical}' has ${digits.fraction} decimals; ISO 20022 amounts allow at most ${AMOUNT_FRACTION_DIGITS}`;
  }
  if (digits.total > AMOUNT_TOTAL_DIGITS) {
    return `amount '${lexical}' has ${digits.total} digits; ISO 20022 amounts allow at most ${AMOUNT_TOTAL_DIGITS}`;
  }
  return undefined;
}

/** True when the amount can take part in arithmetic: its text is a valid amount. */
export function usable(a: Amount | undefined): a is Amount {
  return a !== undefined && validLexical(a.lexical) && a.value.isFinite();
}

// The same amount is judged several times per entry (the checks, then each tally it joins): the
// verdicts of the last few texts are kept.
const RECENT = 4;
const recentText: string[] = new Array<string>(RECENT).fill('\u0000');
const recentOk: boolean[] = new Array<boolean>(RECENT).fill(false);
let next = 0;

function validLexical(lexical: string): boolean {
  for (let i = 0; i < RECENT; i++) if (recentText[i] === lexical) return recentOk[i]!;
  const ok = amountFormatProblem(lexical) === undefined;
  recentText[next] = lexical;
  recentOk[next] = ok;
  next = (next + 1) % RECENT;
  return ok;
}

/** Every finding about one amount element: lexical form, currency code, currency precision. */
export function checkAmount(a: Amount, path: string): readonly Finding[] {
  const problem = amountFormatProblem(a.lexical);
  const minor = a.currency === '' ? undefined : minorUnits(a.currency);
  // The common case, a valid amount within its currency's minor units, allocates nothing.
  if (problem === undefined && minor !== undefined && decimalDigits(a.lexical)!.fraction <= minor) return NONE;
  const out: Finding[] = [];
  if (problem !== undefined) out.push(finding('AMOUNT_FORMAT', path, problem));
  if (a.currency === '') {
    out.push(finding('REQUIRED_MISSING', `${path}/@Ccy`, 'the amount has no Ccy attribute, so its currency is unknown'));
  } else if (minor === undefined) {
    out.push(finding('CURRENCY_UNKNOWN', path, `'${a.currency}' is not an active ISO 4217 currency code`));
  } else if (problem === undefined) {
    const places = decimalDigits(a.lexical)!.fraction;
    out.push(finding('AMOUNT_PRECISION', path, `${places} decimals for ${a.currency}, which has ${minor} minor units`));
  }
  return out;
}

/** Amount check for an optional element: nothing to say when it is absent. */
export function checkOptionalAmount(a: Amount | undefined, path: string): readonly Finding[] {
  return a === undefined ? NONE : checkAmount(a, path);
}

/** The problem of a `DecimalNumber` (CtrlSum, TxsSummry Sum), or undefined when it is valid. */
export function decimalNumberProblem(text: string): string | undefined {
  const digits = decimalDigits(text);
  if (digits === undefined) return `'${text}' is not a decimal number`;
  if (digits.fraction > NUMBER_FRACTION_DIGITS) return `'${text}' has ${digits.fraction} decimals; at most ${NUMBER_FRACTION_DIGITS} are allowed`;
  if (digits.total > AMOUNT_TOTAL_DIGITS) return `'${text}' has ${digits.total} digits; at most ${AMOUNT_TOTAL_DIGITS} are allowed`;
  return undefined;
}

/** The exact value of a valid decimal text, or undefined. Never a JS number. */
export function parseDecimal(text: string | undefined): BigNumber | undefined {
  if (text === undefined || decimalDigits(text) === undefined) return undefined;
  const v = new BigNumber(text);
  return v.isFinite() ? v : undefined;
}

/** An exact value shown with at least as many decimals as `like` (`100` next to `90.00` → `100.00`). */
export function shownLike(v: BigNumber, like: string): string {
  const decimals = like.includes('.') ? like.length - like.indexOf('.') - 1 : 0;
  return v.toFixed(Math.max(decimals, v.decimalPlaces() ?? 0));
}

/** Fixed point used by the tallies: amounts have at most 5 decimals (AMOUNT_FRACTION_DIGITS). */
const SCALE_DIGITS = AMOUNT_FRACTION_DIGITS;
const ZEROS = '00000';

/**
 * A usable amount as an exact integer of 10^-5 units. Sums of thousands of entries run as bigint
 * additions (a few ns each) instead of bignumber.js additions (~100 ns, and an allocation each);
 * both are exact, and the result goes back to a BigNumber once, at the end.
 */
export function scaledUnits(a: Amount): bigint {
  const lexical = a.lexical;
  const dot = lexical.indexOf('.');
  const whole = dot < 0 ? lexical : lexical.slice(0, dot);
  // usable() guarantees at most 5 significant decimals; digits beyond them are zeros.
  const fraction = dot < 0 ? '' : lexical.slice(dot + 1, dot + 1 + SCALE_DIGITS);
  return BigInt((whole === '' ? '0' : whole) + fraction + ZEROS.slice(fraction.length));
}

/** The decimal value of a sum of scaled units. */
export function fromScaled(units: bigint): BigNumber {
  // The decimal point is placed in the digits: bignumber.js's shiftedBy multiplies, which costs more.
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(SCALE_DIGITS + 1, '0');
  const cut = digits.length - SCALE_DIGITS;
  return new BigNumber(`${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`);
}
