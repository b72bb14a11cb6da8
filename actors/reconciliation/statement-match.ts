// Tier 3's entry matching: the entries of an end-of-day statement against the entries tier 1
// recorded for the same account and day. Each statement entry is matched to at most one recorded
// entry, by the strongest reference both carry, in this order: AcctSvcrRef, EndToEndId, UETR,
// then amount + direction + booking date as the last resort (with the method recorded, so an
// auditor can weigh a match that rests on amount alone). What is left over becomes a discrepancy:
//
//   MISSING_TXN      on the statement, never seen by tier 1 (side 'ledger': deltran lacks it),
//                    or seen by tier 1 and absent from the statement (side 'bank')
//   DUPLICATE_TXN    the same bank reference twice on the statement with the same amount,
//                    direction and day (a double booking)
//   AMOUNT_MISMATCH  matched by a reference, but the amount or the direction differs
//
// A reference is an identity only where it is one: some banks put one AcctSvcrRef on every entry
// of a statement (the Danish sample in ../shared does). A reference that occurs more than once on
// either side is ambiguous and is not used to match; the entry falls through to the next key.
//
// Pure and deterministic: the same inputs give the same matches in the same order. Cost is linear
// in the entries (indexes by reference), so a 10,000-entry statement is not quadratic.

import type BigNumber from 'bignumber.js';
import { usableReference } from '../account/pay-in.ts';
import type { BankEntry } from '../account/model.ts';

export type EntryMatchMethod = 'ACCOUNT_SERVICER_REFERENCE' | 'END_TO_END_ID' | 'UETR' | 'AMOUNT_AND_DATE';

export interface EntryMatch {
  readonly statement: BankEntry;
  readonly recorded: BankEntry;
  readonly method: EntryMatchMethod;
}

export type EntryDiscrepancy =
  | { readonly type: 'MISSING_TXN'; readonly side: 'ledger' | 'bank'; readonly entry: BankEntry }
  | { readonly type: 'DUPLICATE_TXN'; readonly entry: BankEntry; readonly first: BankEntry }
  | {
      readonly type: 'AMOUNT_MISMATCH';
      readonly statement: BankEntry;
      readonly recorded: BankEntry;
      readonly method: EntryMatchMethod;
      /** Signed statement amount − signed recorded amount. */
      readonly difference: BigNumber;
    };

export interface MatchResult {
  readonly matched: readonly EntryMatch[];
  readonly discrepancies: readonly EntryDiscrepancy[];
}

/** The entry's effect on the balance: CRDT adds, DBIT subtracts (a reversal keeps its indicator's sign). */
export function signed(entry: BankEntry): BigNumber {
  return entry.direction === 'CRDT' ? entry.amount : entry.amount.negated();
}

/** The calendar day of a booking date (a date, or the date part of a date-time as sent). */
function dayOf(entry: BankEntry): string | null {
  return entry.bookingDate === null ? null : entry.bookingDate.slice(0, 10);
}

type Key = (e: BankEntry) => string | null;

const KEYS: readonly (readonly [EntryMatchMethod, Key])[] = [
  ['ACCOUNT_SERVICER_REFERENCE', (e) => usableReference(e.accountServicerReference)],
  ['END_TO_END_ID', (e) => usableReference(e.endToEndId)],
  ['UETR', (e) => usableReference(e.uetr)?.toLowerCase() ?? null],
];

const looseKey = (e: BankEntry): string => `${e.direction}|${e.amount.toFixed()}|${dayOf(e) ?? ''}`;

export function matchStatement(statement: readonly BankEntry[], recorded: readonly BankEntry[]): MatchResult {
  const matched: EntryMatch[] = [];
  const discrepancies: EntryDiscrepancy[] = [];

  // The same reference, amount, direction and day twice on one statement is a double booking; the
  // second is reported and not matched again.
  const seen = new Map<string, BankEntry>();
  const candidates: BankEntry[] = [];
  for (const entry of statement) {
    const ref = usableReference(entry.accountServicerReference);
    const id = ref === null ? null : `${ref}|${looseKey(entry)}`;
    const first = id === null ? undefined : seen.get(id);
    if (first !== undefined) {
      discrepancies.push({ type: 'DUPLICATE_TXN', entry, first });
      continue;
    }
    if (id !== null) seen.set(id, entry);
    candidates.push(entry);
  }

  const open = new Set<BankEntry>(recorded);
  // One pass per key, strongest first, over what the previous passes left: a reference pairs two
  // entries only when it occurs once among the statement's remaining entries and once among the
  // recorded ones (see the header).
  let unmatched = candidates;
  for (const [method, key] of KEYS) {
    const onStatement = new Map<string, number>();
    for (const e of unmatched) {
      const k = key(e);
      if (k !== null) onStatement.set(k, (onStatement.get(k) ?? 0) + 1);
    }
    const index = new Map<string, BankEntry | null>();
    for (const r of open) {
      const k = key(r);
      if (k !== null) index.set(k, index.has(k) ? null : r);
    }
    const rest: BankEntry[] = [];
    for (const entry of unmatched) {
      const k = key(entry);
      const r = k === null || onStatement.get(k) !== 1 ? undefined : index.get(k);
      if (r === undefined || r === null) {
        rest.push(entry);
        continue;
      }
      open.delete(r);
      const difference = signed(entry).minus(signed(r));
      if (difference.isZero()) matched.push({ statement: entry, recorded: r, method });
      else discrepancies.push({ type: 'AMOUNT_MISMATCH', statement: entry, recorded: r, method, difference });
    }
    unmatched = rest;
  }

  // Last resort, after every reference had its chance: equal amount, direction and day.
  const loose = new Map<string, BankEntry[]>();
  for (const r of recorded) if (open.has(r)) loose.set(looseKey(r), [...(loose.get(looseKey(r)) ?? []), r]);
  for (const entry of unmatched) {
    const list = loose.get(looseKey(entry));
    const r = list?.shift();
    if (r === undefined) {
      discrepancies.push({ type: 'MISSING_TXN', side: 'ledger', entry });
      continue;
    }
    open.delete(r);
    matched.push({ statement: entry, recorded: r, method: 'AMOUNT_AND_DATE' });
  }
  for (const r of recorded) if (open.has(r)) discrepancies.push({ type: 'MISSING_TXN', side: 'bank', entry: r });
  return { matched, discrepancies };
}
