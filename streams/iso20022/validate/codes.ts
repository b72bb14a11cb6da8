// Code rules. Closed ISO code lists (CdtDbtInd, ChrgBr, PmtMtd, SttlmMtd, the v02-v06 entry status)
// are part of the schema: a value outside them is an error. External code lists (entry status from
// camt v07, transaction statuses) are published quarterly on iso20022.org, so an unknown value there
// may simply be newer than deltran: it is a warning.

import { finding, type Finding } from '../findings.ts';
import { NONE, type Scope } from './scope.ts';

export const DIRECTIONS = ['CRDT', 'DBIT'] as const;
export const CHARGE_BEARERS = ['DEBT', 'CRED', 'SHAR', 'SLEV'] as const;
export const PAYMENT_METHODS = ['CHK', 'TRF', 'TRA'] as const;
export const SETTLEMENT_METHODS = ['INDA', 'INGA', 'COVE', 'CLRG'] as const;
/** `EntryStatus2Code` (closed, until v06) and the codes of `ExternalEntryStatus1Code` (v07+). */
const ENTRY_STATUS_CLOSED = ['BOOK', 'PDNG', 'INFO'] as const;
const ENTRY_STATUS_EXTERNAL = ['BOOK', 'PDNG', 'INFO', 'FUTR'] as const;
/** From this camt version the entry status is `Sts/Cd`, an external code (see versions.ts). */
const EXTERNAL_ENTRY_STATUS_SINCE = 7;
/** `ExternalPaymentTransactionStatus1Code` (and group status PART), a superset of the old closed lists. */
export const TRANSACTION_STATUSES = [
  'ACCC', 'ACCP', 'ACFC', 'ACIS', 'ACPD', 'ACSC', 'ACSP', 'ACTC', 'ACWC', 'ACWP',
  'BLCK', 'CANC', 'PART', 'PATC', 'PDNG', 'PRES', 'RCVD', 'RJCT',
] as const;

/** A value of a closed list; `what` names the element for the sentence. */
export function checkClosedCode(value: string | undefined, allowed: readonly string[], path: string, what: string): readonly Finding[] {
  if (value === undefined || allowed.includes(value)) return NONE;
  return [finding('CODE_INVALID', path, `${what} '${value}' is not one of ${allowed.join(', ')}`)];
}

/** A value of an external list: unknown values are kept and flagged. */
export function checkExternalCode(value: string | undefined, known: readonly string[], path: string, what: string): readonly Finding[] {
  if (value === undefined || value === '' || known.includes(value)) return NONE;
  return [finding('CODE_UNKNOWN', path, `${what} '${value}' is not in the external code list known to deltran (${known.join(', ')})`)];
}

/**
 * CdtDbtInd, required where the schema requires it. The value is read as a string at run time: a
 * model built outside the mappers (JSON, tests) may hold anything.
 */
export function checkDirection(value: unknown, path: string, required: boolean): readonly Finding[] {
  if (isDirection(value)) return NONE;
  if (value === undefined) return required ? [finding('REQUIRED_MISSING', path, 'CdtDbtInd is missing (or is not CRDT/DBIT and was dropped)')] : NONE;
  return checkClosedCode(String(value), DIRECTIONS, path, 'CdtDbtInd');
}

export function checkEntryStatus(scope: Scope, status: string | undefined, path: string): readonly Finding[] {
  if (scope.version >= EXTERNAL_ENTRY_STATUS_SINCE) return checkExternalCode(status, ENTRY_STATUS_EXTERNAL, path, 'entry status');
  return checkClosedCode(status, ENTRY_STATUS_CLOSED, path, 'entry status');
}

export function isDirection(value: unknown): value is 'CRDT' | 'DBIT' {
  return value === 'CRDT' || value === 'DBIT';
}
