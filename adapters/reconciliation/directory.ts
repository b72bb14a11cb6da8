// The account directory of reconciliation: which account actor a notification, an operator or a
// row means, by the account's uuid, account number or IBAN. A cache of emi_accounts read once at
// start and on demand afterwards (an account opened since answers from the table, then the cache).

import { accountActorId } from '../../actors/account/model.ts';
import type { Database } from '../db/database.ts';
import { loadDirectory, type DirectoryEntry } from '../db/reconciliation-queries.ts';

export type DirectoryMiss = { status: number; code: string; message: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type DirectoryRow = { id: string; bank_id: string; account_number: string; iban: string | null; currency: string };

export class AccountDirectory {
  private readonly byActor = new Map<string, DirectoryEntry>();
  private readonly byId = new Map<string, DirectoryEntry>();
  /**
   * `currency accountId` as a notification names it → its entry: tier 1 resolves every
   * notification, and normalising the id and building two actor ids per call showed in its heap
   * profile. Cleared whenever an entry is (re)remembered, so it never outlives a directory change.
   */
  private readonly byRequest = new Map<string, DirectoryEntry>();

  constructor(private readonly db: Database, entries: readonly DirectoryEntry[]) {
    for (const d of entries) this.remember(d);
  }

  /** The directory entry of an actor (uuid, account number), when known. */
  of(actor: string): DirectoryEntry | undefined {
    return this.byActor.get(actor);
  }

  /** The cached entry of an account uuid (any case). */
  cached(id: string): DirectoryEntry | undefined {
    return this.byId.get(id.toLowerCase());
  }

  /** The account a notification names: its uuid, account number or IBAN, in that currency. */
  async resolve(accountId: string, currency: string): Promise<DirectoryEntry | DirectoryMiss> {
    const request = `${currency} ${accountId}`;
    const known = this.byRequest.get(request);
    if (known !== undefined) return known;
    const cached = this.byId.get(accountId.toLowerCase());
    if (cached !== undefined && cached.currency === currency) return this.answer(request, cached);
    const iban = accountId.replace(/\s+/g, '').toUpperCase();
    for (const actor of [accountActorId({ scheme: 'IBAN', id: iban, currency }), accountActorId({ scheme: 'OTHER', id: accountId, currency })]) {
      const d = this.byActor.get(actor);
      if (d !== undefined) return this.answer(request, d);
    }
    // Not cached: the directory row may be newer than the cache, or the account number may sit
    // behind an IBAN (the actor is keyed by the IBAN then).
    const { rows } = await this.db.query<DirectoryRow>(
      `SELECT id::text AS id, bank_id, account_number, iban, currency FROM emi_accounts
       WHERE currency = $2 AND (account_number = $1 OR iban = $3 OR id::text = lower($1))`,
      [accountId, currency, iban],
    );
    if (rows.length === 0) return { status: 404, code: 'ACCOUNT_UNKNOWN', message: `no ${currency} account ${accountId}` };
    if (rows.length > 1) return { status: 409, code: 'ACCOUNT_AMBIGUOUS', message: `${rows.length} ${currency} accounts answer to ${accountId}; send the IBAN or the account id` };
    return this.remember(entryOf(rows[0]!));
  }

  async resolveById(id: string): Promise<DirectoryEntry | undefined> {
    if (!UUID.test(id)) return undefined;
    const cached = this.byId.get(id.toLowerCase());
    if (cached !== undefined) return cached;
    const { rows } = await this.db.query<DirectoryRow>(
      'SELECT id::text AS id, bank_id, account_number, iban, currency FROM emi_accounts WHERE id = $1::uuid', [id],
    );
    const r = rows[0];
    return r === undefined ? undefined : this.remember(entryOf(r));
  }

  /** Reloads the directory once when any of `actors` is not in it (opened since it was read). */
  async ensure(actors: readonly string[]): Promise<void> {
    if (!actors.some((a) => !this.byActor.has(a))) return;
    for (const d of await loadDirectory(this.db)) this.remember(d);
  }

  private remember(d: DirectoryEntry): DirectoryEntry {
    this.byActor.set(actorOf(d), d);
    this.byId.set(d.id.toLowerCase(), d);
    this.byRequest.clear();
    return d;
  }

  private answer(request: string, d: DirectoryEntry): DirectoryEntry {
    // Bounded like the directory itself: a flood of made-up ids never gets here (a miss is not kept).
    if (this.byRequest.size >= 4 * Math.max(1_000, this.byActor.size)) this.byRequest.clear();
    this.byRequest.set(request, d);
    return d;
  }
}

export function actorOf(d: DirectoryEntry): string {
  return accountActorId(d.iban !== null ? { scheme: 'IBAN', id: d.iban, currency: d.currency } : { scheme: 'OTHER', id: d.accountNumber, currency: d.currency });
}

function entryOf(r: DirectoryRow): DirectoryEntry {
  return { id: r.id, bankId: r.bank_id, accountNumber: r.account_number, iban: r.iban, currency: r.currency.trim() };
}
