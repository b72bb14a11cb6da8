// Date rules: ISODate is xs:date and ISODateTime is xs:dateTime. Banks send every legal variant:
// nine fractional digits, no offset (the sender's local time), 'Z', '+01:00'; all are accepted. What
// is refused is text that is not a calendar date or a clock time at all (2023-02-30, 25:00, 12.03.2024).

import { finding, type Finding } from '../findings.ts';
import type { DateValue } from '../model.ts';
import { NONE } from './scope.ts';

const DATE = /^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?$/;
const DATE_TIME = /^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function calendarDay(y: string, m: string, d: string): boolean {
  const month = Number(m);
  const day = Number(d);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(Number(y), month);
}

/** xs:dateTime allows offsets up to ±14:00. */
function offset(tz: string | undefined): boolean {
  if (tz === undefined || tz === 'Z') return true;
  const [h, m] = tz.slice(1).split(':').map(Number);
  return h !== undefined && m !== undefined && m <= 59 && (h < 14 || (h === 14 && m === 0));
}

// A statement holds a handful of distinct dates across thousands of entries: verdicts are kept,
// bounded (cleared when full).
const dateVerdicts = new Map<string, boolean>();
const dateTimeVerdicts = new Map<string, boolean>();
const VERDICTS_MAX = 1024;

function remembered(verdicts: Map<string, boolean>, text: string, judge: (t: string) => boolean): boolean {
  let v = verdicts.get(text);
  if (v === undefined) {
    v = judge(text);
    if (verdicts.size >= VERDICTS_MAX) verdicts.clear();
    verdicts.set(text, v);
  }
  return v;
}

export function isIsoDate(text: string): boolean {
  return remembered(dateVerdicts, text, judgeDate);
}

export function isIsoDateTime(text: string): boolean {
  return remembered(dateTimeVerdicts, text, judgeDateTime);
}

function judgeDate(text: string): boolean {
  const m = DATE.exec(text);
  return m !== null && calendarDay(m[1]!, m[2]!, m[3]!) && offset(m[4]);
}

function judgeDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (m === null || !calendarDay(m[1]!, m[2]!, m[3]!) || !offset(m[8])) return false;
  const [h, min, s] = [Number(m[4]), Number(m[5]), Number(m[6])];
  // 24:00:00 is the end of the day in xs:dateTime; any other hour 24 is not a time.
  if (h === 24) return min === 0 && s === 0 && /^(\.0*)?$/.test(m[7] ?? '');
  return h <= 23 && min <= 59 && s <= 59;
}

export function checkDate(text: string | undefined, path: string): readonly Finding[] {
  if (text === undefined || isIsoDate(text)) return NONE;
  return [finding('DATE_INVALID', path, `'${text}' is not an ISO date (YYYY-MM-DD)`)];
}

export function checkDateTime(text: string | undefined, path: string): readonly Finding[] {
  if (text === undefined || isIsoDateTime(text)) return NONE;
  return [finding('DATE_INVALID', path, `'${text}' is not an ISO date-time (YYYY-MM-DDThh:mm:ss, optional fraction and offset)`)];
}

/** A `Dt`/`DtTm` choice: the path names the choice element that was used. */
export function checkDateValue(value: DateValue | undefined, path: string): readonly Finding[] {
  if (value === undefined) return NONE;
  return value.kind === 'date' ? checkDate(value.value, `${path}/Dt`) : checkDateTime(value.value, `${path}/DtTm`);
}
