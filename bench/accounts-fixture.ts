// Accounts and camt.054 notifications for the ingest and actors benchmarks: `n` accounts with valid
// (mod-97) German IBANs in CHF, opened through the account actors, and one-entry notifications for
// them built from the ~2.7 KB camt.054 of fixtures.ts, each with its own MsgId, Ntfctn Id,
// AcctSvcrRef, NtryRef, EndToEndId, UETR and amount, so every message is a distinct entry.

import BigNumber from 'bignumber.js';
import type { Accounts } from '../actors/account/actor.ts';
import { accountActorId, type AccountRef } from '../actors/account/model.ts';
import { camt054 } from './fixtures.ts';
import { seededRng } from '../adapters/bank/rng.ts';

export const CURRENCY = 'CHF';

/** A valid DE IBAN for account number `i` (bank code 37040044, 10-digit account). */
export function iban(i: number): string {
  const bban = `37040044${String(i).padStart(10, '0')}`;
  // ISO 13616: move "DE00" to the end, letters as numbers (D=13, E=14), 98 - mod 97.
  const check = 98n - (BigInt(`${bban}131400`) % 97n);
  return `DE${String(check).padStart(2, '0')}${bban}`;
}

export function accountRef(i: number): AccountRef {
  return { scheme: 'IBAN', id: iban(i), currency: CURRENCY };
}

export function accountId(i: number): string {
  return accountActorId(accountRef(i));
}

/** Opens accounts [from, to) through Accounts.send OpenAccount, `window` at a time. */
export async function openAccounts(accounts: Accounts, count: number, window = 2_000): Promise<void> {
  for (let from = 0; from < count; from += window) {
    const batch: Promise<void>[] = [];
    for (let i = from; i < Math.min(count, from + window); i++) {
      const ref = accountRef(i);
      batch.push(
        accounts
          .send(accountActorId(ref), {
            type: 'OpenAccount', messageId: `open/${ref.id}`, ref, accountType: 'client_funds',
            ledger: new BigNumber(0), bank: new BigNumber(0),
          })
          .then((o) => {
            if (o.status !== 'appended' && o.status !== 'duplicate') throw new Error(`open ${ref.id}: ${JSON.stringify(o)}`);
          }),
      );
    }
    await Promise.all(batch);
  }
}

const TEMPLATE = camt054().replace(/\n\s*/g, '');

/** mulberry32 (adapters/bank/rng.ts): a proper PRNG (an LCG in doubles cycles after ~13k draws). */
export const prng = (seed: number): (() => number) => seededRng(Math.trunc(seed));

/** Notification number `k` (MsgId `BENCH-<tag>-<k>`) of a booked credit to account `account`. */
export function notification(tag: string, k: number, account: number): string {
  const msgId = `BENCH-${tag}-${k}`;
  const ref = `${tag}${String(k).padStart(12, '0')}`;
  const amount = `${1 + (k % 9_999)}.${String(k % 100).padStart(2, '0')}`;
  const hex = k.toString(16).padStart(12, '0');
  return TEMPLATE
    .replaceAll('AAAASESS-FP-ACCR001', msgId)
    .replaceAll('CH2801234000123456789', iban(account))
    .replaceAll('0758103031480900', ref)
    .replace('41100000000872849', `N${ref}`)
    .replace('E2E-2024-10-18-0001', `E2E-${ref}`)
    .replace('255ae394-9965-4438-ac86-f406feada396', `255ae394-9965-4438-ac86-${hex}`)
    .replaceAll('2000.00', amount);
}

/** The MsgId back from an entry identity (`MsgId/NtfctnId/index#ref`, see identity.ts). */
export function msgIdOf(entryIdentity: string): string {
  const slash = entryIdentity.indexOf('/');
  return slash < 0 ? entryIdentity : entryIdentity.slice(0, slash);
}
