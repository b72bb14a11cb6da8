// Charges: the amounts agents take, on a camt entry or its details (`Chrgs`) and on a pacs.008
// transfer (`ChrgsInf`). The model keeps them in one shape; only the element path differs by
// message and version, and a charge is judged like any other amount.

import type { Finding } from '../findings.ts';
import type { Charge } from '../model.ts';
import { checkAmount } from './amount.ts';
import { CHARGE_BEARERS, checkClosedCode, checkDirection } from './codes.ts';
import { checkAgent } from './identifiers.ts';
import type { Scope } from './scope.ts';

/** Charges records: repeated `Chrgs` in camt v02, `Chrgs/Rcrd` from v03, `ChrgsInf` in pacs/pain. */
export function chargePath(scope: Scope, base: string, i: number): string {
  if (scope.family !== 'camt') return `${base}/ChrgsInf[${i}]`;
  return scope.version <= 2 ? `${base}/Chrgs[${i}]` : `${base}/Chrgs/Rcrd[${i}]`;
}

export function checkCharge(scope: Scope, c: Charge, path: string): readonly Finding[] {
  return [
    ...checkAmount(c.amount, `${path}/Amt`),
    ...checkDirection(c.direction, `${path}/CdtDbtInd`, false),
    ...checkClosedCode(c.bearer, CHARGE_BEARERS, `${path}/Br`, 'charge bearer'),
    ...checkAgent(scope, c.agent, `${path}/Agt`),
  ];
}
