// Where a participant is debited and credited when a window settles: its settlement account at its
// settlement bank, read from `participants.settlement_account`. The text has the form
//
//   [<bank>:]<account>
//
// - `<bank>` names one of the Settler's bank clients (its `banks` map); without it, the default
//   bank (the only one when there is one, else the one named `defaultBank`). A name is 1 to 32
//   letters, digits, '-' or '_'. Text of the form `name:rest` always names a bank (an unknown one
//   is BANK_UNKNOWN, never silently an account id), so an account id containing ':' needs its
//   bank named in front.
// - `<account>` is an IBAN when, without spaces and in upper case, it passes ISO 13616 (country,
//   length, mod 97); anything else is another identifier (`Othr/Id`, a BBAN, Fedwire or a
//   proprietary number, at most 34 characters, taken as written).
// - The currency is the instruction's: a settlement account is one identifier at its bank with a
//   book per currency (BankAccountRef), as at the mock bank.
//
// The payer's bank carries the instruction: it debits the payer and credits the payee where the
// payee banks with it too (a cross-bank leg is that bank's business, not deltran's).

import type { BankAccountId, BankAccountRef } from '../bank/client.ts';
import { ibanProblem } from '../../streams/iso20022/validate/identifiers.ts';
import type { Queryable } from '../db/database.ts';

export interface SettlementAccount {
  /** The key of the bank client in the Settler's `banks`. */
  readonly bank: string;
  readonly account: BankAccountId;
}

export type SettlementAccountProblem = { readonly code: 'SETTLEMENT_ACCOUNT_MISSING' | 'SETTLEMENT_ACCOUNT_INVALID' | 'BANK_UNKNOWN'; readonly message: string };

const BANK_PREFIX = /^([A-Za-z0-9_-]{1,32}):(.+)$/;
const OTHER_ID_MAX = 34;

/** `settlement_account` → bank and account; `banks` are the configured client names, `defaultBank` the one used without a prefix. */
export function settlementAccountOf(
  bic: string,
  text: string | null | undefined,
  banks: readonly string[],
  defaultBank: string | undefined,
): SettlementAccount | SettlementAccountProblem {
  const raw = text?.trim() ?? '';
  if (raw === '') return { code: 'SETTLEMENT_ACCOUNT_MISSING', message: `participant ${bic} has no settlement_account` };
  const m = BANK_PREFIX.exec(raw);
  const bank = m !== null ? m[1]! : defaultBank;
  const id = (m !== null ? m[2]! : raw).trim();
  if (bank === undefined || !banks.includes(bank)) {
    return { code: 'BANK_UNKNOWN', message: `participant ${bic}: settlement account ${JSON.stringify(raw)} names no configured bank (${banks.join(', ') || 'none'})` };
  }
  const compact = id.replace(/\s+/g, '').toUpperCase();
  if (/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(compact) && ibanProblem(compact) === undefined) return { bank, account: { iban: compact } };
  if (id.length === 0 || id.length > OTHER_ID_MAX) {
    return { code: 'SETTLEMENT_ACCOUNT_INVALID', message: `participant ${bic}: settlement account ${JSON.stringify(id)} is neither an IBAN nor an identifier of 1 to ${OTHER_ID_MAX} characters` };
  }
  return { bank, account: { other: { id } } };
}

export function isSettlementAccountProblem(x: SettlementAccount | SettlementAccountProblem): x is SettlementAccountProblem {
  return 'code' in x;
}

export function withCurrency(account: BankAccountId, currency: string): BankAccountRef {
  return 'iban' in account ? { iban: account.iban, currency } : { other: account.other, currency };
}

/** The deltran account actor that holds this account's camt.054 bookings (actors/account/model.ts accountActorId). */
export function accountActorOf(account: BankAccountId, currency: string): string {
  return `account:${'iban' in account ? account.iban : account.other.id}:${currency}`;
}

export interface ParticipantSettlement {
  readonly bic: string;
  readonly name: string;
  readonly settlementAccount: string | null;
}

/** The participants' names and settlement accounts, for the BICs given (unknown BICs are absent). */
export async function loadParticipantSettlement(db: Queryable, bics: readonly string[]): Promise<Map<string, ParticipantSettlement>> {
  const { rows } = await db.query<{ bic: string; name: string; settlement_account: string | null }>(
    'SELECT bic, name, settlement_account FROM participants WHERE bic = ANY($1::text[])',
    [[...new Set(bics)]],
  );
  return new Map(rows.map((r) => [r.bic, { bic: r.bic, name: r.name, settlementAccount: r.settlement_account }]));
}
