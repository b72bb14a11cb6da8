// Text length facets. Over-long text is a warning: a 204-character remittance line (ABN AMRO) is
// schema-invalid but carries the payer's words, and losing a payment over it would be worse.
// Lengths count characters (code points), as XSD does, not UTF-16 units or bytes.

import { finding, type Finding } from '../findings.ts';
import { NONE } from './scope.ts';

export const MAX35 = 35;
export const MAX140 = 140;

export function checkLength(text: string | undefined, max: number, path: string): readonly Finding[] {
  // UTF-16 units are never fewer than code points: the short case needs no counting.
  if (text === undefined || text.length <= max) return NONE;
  const length = [...text].length;
  if (length <= max) return NONE;
  return [finding('TEXT_TOO_LONG', path, `${length} characters where the schema allows at most ${max} (Max${max}Text)`)];
}

/** Repeated unstructured remittance lines, `RmtInf/Ustrd[i]`. */
export function checkRemittance(lines: readonly string[] | undefined, path: string): readonly Finding[] {
  if (lines === undefined || lines.every((line) => line.length <= MAX140)) return NONE;
  return lines.flatMap((line, i) => checkLength(line, MAX140, `${path}/RmtInf/Ustrd[${i}]`));
}
