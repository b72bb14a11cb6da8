// Tier 3's checks of a statement as a link in a chain: it must start where the previous one ended
// and add up by itself. A chain with a hole (a statement never received) or an overlap (one
// received twice under different numbers) would make every later comparison wrong in a way no
// entry matching can see, so both are discrepancies of their own:
//
//   SEQUENCE_GAP      no electronic sequence number; or it is not the previous one + 1 (a gap
//                     when larger, an overlap when not larger)
//   BALANCE_MISMATCH  opening ≠ the previous statement's closing; or opening + Σ booked entries ≠
//                     closing (the statement contradicts itself)
//
// Balances are signed (CRDT positive, DBIT negative), as the reader gives them with their indicator.

import BigNumber from 'bignumber.js';

export interface StatementLink {
  /** ElctrncSeqNb as sent; null when absent. */
  readonly sequenceNumber: string | null;
  /** Signed opening balance (OPBD, else PRCD). */
  readonly opening: BigNumber;
  /** Signed closing booked balance (CLBD). */
  readonly closing: BigNumber;
  /** Σ of the signed booked entries of the statement. */
  readonly bookedSum: BigNumber;
}

export type ContinuityDiscrepancy =
  | { readonly type: 'SEQUENCE_GAP'; readonly kind: 'missing' | 'gap' | 'overlap'; readonly expected: string | null; readonly actual: string | null }
  | { readonly type: 'BALANCE_MISMATCH'; readonly kind: 'opening' | 'arithmetic'; readonly expected: BigNumber; readonly actual: BigNumber; readonly difference: BigNumber };

function sequence(value: string | null): bigint | null {
  return value !== null && /^\d{1,18}$/.test(value.trim()) ? BigInt(value.trim()) : null;
}

/** `previous`: the last statement reconciled for this account, or null for the first one. */
export function checkContinuity(previous: StatementLink | null, current: StatementLink): ContinuityDiscrepancy[] {
  const out: ContinuityDiscrepancy[] = [];
  const seq = sequence(current.sequenceNumber);
  if (seq === null) {
    out.push({ type: 'SEQUENCE_GAP', kind: 'missing', expected: null, actual: current.sequenceNumber });
  } else if (previous !== null) {
    const before = sequence(previous.sequenceNumber);
    if (before !== null && seq !== before + 1n) {
      out.push({ type: 'SEQUENCE_GAP', kind: seq > before + 1n ? 'gap' : 'overlap', expected: (before + 1n).toString(), actual: seq.toString() });
    }
  }
  if (previous !== null && !current.opening.isEqualTo(previous.closing)) {
    out.push({ type: 'BALANCE_MISMATCH', kind: 'opening', expected: previous.closing, actual: current.opening, difference: current.opening.minus(previous.closing) });
  }
  const computed = current.opening.plus(current.bookedSum);
  if (!computed.isEqualTo(current.closing)) {
    out.push({ type: 'BALANCE_MISMATCH', kind: 'arithmetic', expected: computed, actual: current.closing, difference: current.closing.minus(computed) });
  }
  return out;
}
