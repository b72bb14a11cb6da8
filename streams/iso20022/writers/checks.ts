// Input checks shared by the writers. A writer walks its input once, asking Checks for each value;
// Checks records every problem as a Finding whose path is in the *input* (`transactions[2].amount`),
// which is what the caller can fix, and returns a value to keep building with. The writer refuses
// when anything was recorded, whatever the severity in findings.ts: that table grades what deltran
// receives (keep and flag), but a message deltran sends must be schema-valid or not be sent at all.
// The checks are the XSD facets of the target versions, plus what money.ts knows about currencies.

import { ibanProblem } from '../validate/identifiers.ts';
import { finding, type Finding, type FindingCode } from '../findings.ts';
import { formatMoney, isWritableCurrency, xmlCharProblem } from './xml.ts';

// Patterns copied from the XSDs (pacs.008.001.08 et al.), anchored because XSD patterns are.
const BIC = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/; // BICFIDec2014Identifier
const IBAN = /^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}$/; // IBAN2007Identifier
const UETR = /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/; // UUIDv4Identifier
const EXTERNAL_CODE = /^[A-Z0-9]{1,4}$/; // External*Code: 1..4 characters from the ISO external code sets
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;

export class Checks {
  readonly errors: Finding[] = [];

  add(code: FindingCode, path: string, message: string): void {
    this.errors.push(finding(code, path, message));
  }

  /** Required text with a MaxNText facet; lengths are in characters (code points), as in XSD. */
  text(path: string, value: unknown, max: number): string {
    if (value === undefined || value === null || value === '') {
      this.add('REQUIRED_MISSING', path, 'required, but missing or empty');
      return '';
    }
    if (typeof value !== 'string') {
      this.add('REQUIRED_MISSING', path, `expected text, got ${typeof value}`);
      return '';
    }
    const length = [...value].length;
    if (length > max) this.add('TEXT_TOO_LONG', path, `${length} characters; the schema allows ${max}`);
    const bad = xmlCharProblem(value);
    if (bad !== undefined) this.add('XML_MALFORMED', path, bad);
    return value;
  }

  optText(path: string, value: unknown, max: number): string | undefined {
    return value === undefined ? undefined : this.text(path, value, max);
  }

  /** Max35Text identifiers: MsgId, EndToEndId, InstrId, TxId, AcctSvcrRef ... */
  id(path: string, value: unknown): string {
    return this.text(path, value, 35);
  }

  optId(path: string, value: unknown): string | undefined {
    return value === undefined ? undefined : this.id(path, value);
  }

  private pattern(path: string, value: unknown, re: RegExp, code: FindingCode, what: string): string {
    const s = this.text(path, value, Number.MAX_SAFE_INTEGER);
    if (s !== '' && !re.test(s)) this.add(code, path, `${JSON.stringify(s)} is not ${what}`);
    return s;
  }

  bic(path: string, value: unknown): string {
    return this.pattern(path, value, BIC, 'BIC_INVALID', 'a BIC (8 or 11 characters, BICFIDec2014Identifier)');
  }

  /**
   * The schema pattern, then the country length and mod-97 check the validator applies to what we
   * receive: an inbound test IBAN is a warning, but an instruction we send with a wrong IBAN is a
   * payment that bounces, so here it is a refusal.
   */
  iban(path: string, value: unknown): string {
    const s = this.pattern(path, value, IBAN, 'IBAN_INVALID', 'an IBAN in electronic format (no spaces)');
    if (s !== '' && IBAN.test(s)) {
      const problem = ibanProblem(s);
      if (problem !== undefined) this.add('IBAN_INVALID', path, problem);
    }
    return s;
  }

  uetr(path: string, value: unknown): string {
    return this.pattern(path, value, UETR, 'UETR_INVALID', 'a lowercase UUID v4');
  }

  optUetr(path: string, value: unknown): string | undefined {
    return value === undefined ? undefined : this.uetr(path, value);
  }

  /** A code from a closed list the writer supports (CdtDbtInd, SttlmMtd, TxSts ...). */
  code<T extends string>(path: string, value: unknown, allowed: readonly T[]): T {
    const s = this.text(path, value, Number.MAX_SAFE_INTEGER);
    if (s !== '' && !(allowed as readonly string[]).includes(s)) {
      this.add('CODE_INVALID', path, `${JSON.stringify(s)} is not one of ${allowed.join(', ')}`);
    }
    return s as T;
  }

  /** A code of an ISO external code set (reason, bank transaction code): 1 to 4 capitals or digits. */
  externalCode(path: string, value: unknown): string {
    return this.pattern(path, value, EXTERNAL_CODE, 'CODE_INVALID', 'an ISO external code (1 to 4 capitals or digits)');
  }

  /** ISODate, YYYY-MM-DD, a real calendar day. */
  date(path: string, value: unknown): string {
    const s = this.text(path, value, Number.MAX_SAFE_INTEGER);
    const m = DATE.exec(s);
    if (s !== '' && (m === null || !realDay(m[1]!, m[2]!, m[3]!))) this.add('DATE_INVALID', path, `${JSON.stringify(s)} is not an ISO date (YYYY-MM-DD)`);
    return s;
  }

  /**
   * ISODateTime, with or without an offset: a time without one is the sender's local time, and
   * the writer keeps whatever the caller chose rather than coercing it.
   */
  dateTime(path: string, value: unknown): string {
    const s = this.text(path, value, Number.MAX_SAFE_INTEGER);
    const m = DATE_TIME.exec(s);
    const ok =
      m !== null &&
      realDay(m[1]!, m[2]!, m[3]!) &&
      Number(m[4]) <= 23 &&
      Number(m[5]) <= 59 &&
      Number(m[6]) <= 59 &&
      (m[9] === undefined || (Number(m[9]) <= 14 && Number(m[10]) <= 59));
    if (s !== '' && !ok) this.add('DATE_INVALID', path, `${JSON.stringify(s)} is not an ISO date-time (YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm])`);
    return s;
  }

  /** A `DateAndDateTime2Choice`: `Dt` for a date, `DtTm` for a date-time. */
  dateOrDateTime(path: string, value: unknown): { kind: 'Dt' | 'DtTm'; value: string } {
    if (typeof value === 'string' && value.includes('T')) return { kind: 'DtTm', value: this.dateTime(path, value) };
    return { kind: 'Dt', value: this.date(path, value) };
  }

  /** The element text of an amount, or '' after recording why it cannot be written. */
  amount(path: string, value: unknown, currency: unknown): string {
    const r = formatMoney(value, currency, path);
    if (r.ok) return r.text;
    this.errors.push(...r.errors);
    return '';
  }

  /** A currency on its own (an account's `Ccy`). */
  currency(path: string, value: unknown): string {
    const s = this.text(path, value, 3);
    if (s !== '' && !isWritableCurrency(s)) this.add('CURRENCY_UNKNOWN', path, `${JSON.stringify(s)} is not an active ISO 4217 currency code`);
    return s;
  }

  /** A non-empty list; records REQUIRED_MISSING and returns [] otherwise. */
  list<T>(path: string, value: readonly T[] | undefined): readonly T[] {
    if (!Array.isArray(value) || value.length === 0) {
      this.add('REQUIRED_MISSING', path, 'at least one is required');
      return [];
    }
    return value;
  }
}

function realDay(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}
