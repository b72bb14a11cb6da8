// The participants as the clearing engine checks them on every obligation: a cache of the
// `participants` and `participant_debit_caps` tables and of each participant's accounts, loaded at
// start and again whenever a participant registers (participants.ts tells the clearing service),
// and every `refreshEveryMs` (accounts opened since). A lookup is a Map get, never a query.
//
// A participant's accounts (for its breaker): the `emi_accounts` rows whose `swift_bic` is its BIC,
// and the row its `settlement_account` names (the account's uuid, IBAN or account number). A
// participant is breaker-open when the breaker of any of those accounts is open (the account
// actors' figure in the reconciliation index): money must not be netted towards or away from a
// participant whose books deltran cannot trust.

import { accountActorId } from '../../actors/account/model.ts';
import { minorUnits } from '../../streams/iso20022/money.ts';
import type { Queryable } from '../db/database.ts';

export interface ParticipantEntry {
  readonly bic: string;
  readonly country: string;
  readonly status: 'ACTIVE' | 'SUSPENDED' | 'CLOSED';
  /** Debit cap per currency, minor units; absent = 0. */
  readonly caps: ReadonlyMap<string, bigint>;
  /** Account actor ids (`account:<iban|number>:<CCY>`) whose breaker stops this participant. */
  readonly accounts: readonly string[];
}

export class ParticipantRegistry {
  private entries = new Map<string, ParticipantEntry>();
  loadedAt = 0;

  constructor(private readonly db: Queryable) {}

  get(bic: string): ParticipantEntry | undefined {
    return this.entries.get(bic);
  }

  get size(): number {
    return this.entries.size;
  }

  values(): IterableIterator<ParticipantEntry> {
    return this.entries.values();
  }

  /** Reads the tables again and swaps the cache at once (readers never see half a load). */
  async refresh(): Promise<void> {
    const [participants, caps, accounts] = await Promise.all([
      this.db.query<{ bic: string; country: string; status: string }>('SELECT bic, country, status FROM participants'),
      this.db.query<{ bic: string; currency: string; cap: string }>('SELECT bic, currency, cap::text AS cap FROM participant_debit_caps'),
      this.db.query<{ bic: string; iban: string | null; account_number: string; currency: string }>(
        `SELECT p.bic, a.iban, a.account_number, a.currency
         FROM participants p JOIN emi_accounts a
           ON a.swift_bic = p.bic
           OR (p.settlement_account IS NOT NULL AND (a.id::text = lower(p.settlement_account)
               OR a.iban = upper(replace(p.settlement_account, ' ', '')) OR a.account_number = p.settlement_account))`,
      ),
    ]);
    const capsOf = new Map<string, Map<string, bigint>>();
    for (const c of caps.rows) {
      const currency = c.currency.trim();
      const digits = minorUnits(currency);
      if (digits === undefined) continue;
      let m = capsOf.get(c.bic);
      if (m === undefined) capsOf.set(c.bic, (m = new Map()));
      m.set(currency, toUnitsFloor(c.cap, digits));
    }
    const accountsOf = new Map<string, Set<string>>();
    for (const a of accounts.rows) {
      const currency = a.currency.trim();
      const ref = a.iban !== null ? { scheme: 'IBAN' as const, id: a.iban, currency } : { scheme: 'OTHER' as const, id: a.account_number, currency };
      let s = accountsOf.get(a.bic);
      if (s === undefined) accountsOf.set(a.bic, (s = new Set()));
      s.add(accountActorId(ref));
    }
    const next = new Map<string, ParticipantEntry>();
    for (const p of participants.rows) {
      next.set(p.bic, {
        bic: p.bic,
        country: p.country.trim(),
        status: p.status as ParticipantEntry['status'],
        caps: capsOf.get(p.bic) ?? new Map(),
        accounts: [...(accountsOf.get(p.bic) ?? [])],
      });
    }
    this.entries = next;
    this.loadedAt = Date.now();
  }
}

/** A decimal string to minor units, dropping what the currency cannot hold (a cap never rounds up). */
export function toUnitsFloor(text: string, digits: number): bigint {
  const negative = text.startsWith('-');
  const [int = '0', frac = ''] = (negative ? text.slice(1) : text).split('.');
  const units = BigInt(int + frac.slice(0, digits).padEnd(digits, '0'));
  return negative ? -units : units;
}
