// Matching a booked credit to an expected pay-in. UETR first (a UUID the whole chain carries
// unchanged, compared case-insensitively), then EndToEndId (the payer's own reference, exact).
// `NOTPROVIDED` is what ISO 20022 puts in a mandatory EndToEndId the payer did not give, so it is
// never a reference: two unrelated payments would match each other. Reversals and debits never
// match: a reversed credit is money going back, not a pay-in. The scan is linear because the
// expectations of one account are few (bounded by limits.expectedPayInsMax).

import type { BankEntry, ExpectedPayIn, MatchMethod } from './model.ts';

/** A reference worth matching on, or null. */
export function usableReference(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' || trimmed.toUpperCase() === 'NOTPROVIDED' ? null : trimmed;
}

export function sameUetr(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toLowerCase() === b.toLowerCase();
}

export function matchPayIn(
  expected: ReadonlyMap<string, ExpectedPayIn>,
  entry: BankEntry,
): { readonly payIn: ExpectedPayIn; readonly method: MatchMethod } | null {
  if (entry.direction !== 'CRDT' || entry.reversal) return null;
  const uetr = usableReference(entry.uetr);
  const endToEndId = usableReference(entry.endToEndId);
  if (uetr !== null) {
    for (const payIn of expected.values()) if (sameUetr(payIn.uetr, uetr)) return { payIn, method: 'UETR' };
  }
  if (endToEndId !== null) {
    for (const payIn of expected.values()) if (payIn.endToEndId === endToEndId) return { payIn, method: 'END_TO_END_ID' };
  }
  return null;
}

/** The id of another expectation that already claims this id or one of these references. */
export function conflictingPayIn(expected: ReadonlyMap<string, ExpectedPayIn>, candidate: ExpectedPayIn): string | null {
  if (expected.has(candidate.payInId)) return candidate.payInId;
  for (const payIn of expected.values()) {
    if (sameUetr(payIn.uetr, candidate.uetr)) return payIn.payInId;
    if (candidate.endToEndId !== null && payIn.endToEndId === candidate.endToEndId) return payIn.payInId;
  }
  return null;
}
