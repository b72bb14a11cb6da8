// Shared pieces of the runtime tests: an in-memory journal with the real one's outcomes (for tests
// about the actor layer itself, where PGlite would only add minutes), a journal that fails on
// demand, a deterministic workload of account commands with its expected states computed by the
// pure functions alone, and the independent fold of a journal.

import BigNumber from 'bignumber.js';
import { accountStateCodec } from '../../../actors/account/codec.ts';
import type { AccountCommand } from '../../../actors/account/commands.ts';
import { decideAccount } from '../../../actors/account/decide.ts';
import { accountEventCodec } from '../../../actors/account/events.ts';
import { evolveAccount } from '../../../actors/account/evolve.ts';
import { ACCOUNT_LIMITS_DEFAULT, accountActorId, initialAccount, type AccountLimits, type AccountRef, type AccountState } from '../../../actors/account/model.ts';
import { isRejection } from '../../../actors/decision.ts';
import { fromJournal } from '../../../actors/journal-form.ts';
import type { AppendOutcome, Journal, PendingEvent, Snapshot, StoredEvent } from '../../../actors/journal.ts';

/** Same outcomes as PgJournal: duplicate by (actor, messageId), conflict by (actor, seq). */
export class MemoryJournal implements Journal {
  private readonly events = new Map<string, Map<number, StoredEvent>>();
  private readonly ids = new Map<string, Set<string>>();
  private readonly snapshots = new Map<string, Snapshot>();
  readonly stats = { appends: 0, loads: 0, snapshots: 0 };

  async append(events: readonly PendingEvent[]): Promise<AppendOutcome[]> {
    this.stats.appends++;
    return events.map((e) => {
      const ids = this.ids.get(e.actor) ?? new Set<string>();
      const seqs = this.events.get(e.actor) ?? new Map<number, StoredEvent>();
      if (ids.has(e.messageId)) return { status: 'duplicate' };
      if (seqs.has(e.seq)) return { status: 'conflict' };
      // JSON round trip, as the database does: nothing live is shared with what is stored.
      seqs.set(e.seq, { ...e, payload: JSON.parse(JSON.stringify(e.payload)), recordedAt: new Date().toISOString() });
      ids.add(e.messageId);
      this.events.set(e.actor, seqs);
      this.ids.set(e.actor, ids);
      return { status: 'appended' };
    });
  }

  async load(actor: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    this.stats.loads++;
    return [...(this.events.get(actor)?.values() ?? [])].filter((e) => e.seq > afterSeq).sort((a, b) => a.seq - b.seq).slice(0, limit);
  }

  async seen(actor: string, messageId: string): Promise<boolean> {
    return this.ids.get(actor)?.has(messageId) ?? false;
  }

  async latestSnapshot(actor: string): Promise<Snapshot | null> {
    return this.snapshots.get(actor) ?? null;
  }

  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    this.stats.snapshots++;
    this.snapshots.set(snapshot.actor, { ...snapshot, state: JSON.parse(JSON.stringify(snapshot.state)) });
  }

  async close(): Promise<void> {}
}

/** Delegates to `inner`, failing on demand as a database outage would. */
export class FlakyJournal implements Journal {
  /** `before`: the append fails and writes nothing; `after`: it commits, then the answer is lost. */
  appends: 'ok' | 'before' | 'after' = 'ok';
  reads: 'ok' | 'fail' = 'ok';
  constructor(private readonly inner: Journal) {}

  async append(events: readonly PendingEvent[]): Promise<AppendOutcome[]> {
    if (this.appends === 'before') throw new Error('connection refused (injected)');
    const outcomes = await this.inner.append(events);
    if (this.appends === 'after') throw new Error('connection reset after commit (injected)');
    return outcomes;
  }
  private read(): void {
    if (this.reads === 'fail') throw new Error('connection refused (injected read)');
  }
  async load(actor: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    this.read();
    return this.inner.load(actor, afterSeq, limit);
  }
  async seen(actor: string, messageId: string): Promise<boolean> {
    this.read();
    return this.inner.seen(actor, messageId);
  }
  async latestSnapshot(actor: string): Promise<Snapshot | null> {
    this.read();
    return this.inner.latestSnapshot(actor);
  }
  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    this.read();
    return this.inner.saveSnapshot(snapshot);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export const d = (text: string): BigNumber => new BigNumber(text);
const CURRENCIES = [['AED', '2'], ['USD', '2'], ['JPY', '0']] as const;

export function refOf(i: number): AccountRef {
  const [currency] = CURRENCIES[i % CURRENCIES.length]!;
  return { scheme: i % 2 === 0 ? 'IBAN' : 'OTHER', id: i % 2 === 0 ? `GB${String(i).padStart(20, '0')}` : `acct/${i} ü`, currency };
}

export interface Message {
  readonly actor: string;
  readonly command: AccountCommand;
}

/** A money figure in the account's currency (JPY has no minor units). */
function money(i: number, units: number, cents: number): BigNumber {
  return CURRENCIES[i % CURRENCIES.length]![1] === '0' ? d(String(units)) : d(`${units}.${String(cents % 100).padStart(2, '0')}`);
}

/**
 * Per account: an opening, then `perAccount - 1` commands mixing credits, bank entries (BOOK and
 * PDNG), reservations, releases, debits against them, bank balances; every 7th account also gets
 * a command in the wrong currency (always rejected, whatever the state). Nothing else is refused,
 * so a redelivery of any accepted message can only be a duplicate.
 */
export function workload(accounts: number, perAccount: number): Message[][] {
  return Array.from({ length: accounts }, (_, i) => {
    const ref = refOf(i);
    const actor = accountActorId(ref);
    const { currency } = ref;
    const msgs: Message[] = [];
    const add = (command: AccountCommand) => msgs.push({ actor, command });
    add({ type: 'OpenAccount', messageId: `${i}/open`, ref, accountType: i % 3 === 0 ? 'settlement' : 'fee', ledger: money(i, 1_000_000, 0), bank: money(i, 1_000_000, 0) });
    for (let k = 1; k < perAccount; k++) {
      const messageId = `${i}/${k}`;
      const amount = money(i, 10 + ((i * 7 + k * 13) % 500), i + k);
      switch (k % 6) {
        case 1: add({ type: 'CreditLedger', messageId, currency, amount, reference: `cr-${k}` }); break;
        case 2: add({ type: 'RecordBankEntry', messageId, currency, status: k % 4 === 0 ? 'PDNG' : 'BOOK', entry: {
          key: `E-${k}`, amount, direction: k % 5 === 0 ? 'DBIT' : 'CRDT', reversal: false, endToEndId: null, uetr: null,
          accountServicerReference: `E-${k}`, bookingDate: '2024-05-01' } }); break;
        case 3: add({ type: 'Reserve', messageId, currency, amount, reservationId: `r-${k}` }); break;
        case 4: add({ type: 'DebitLedger', messageId, currency, amount: money(i, 1, 0), reservationId: `r-${k - 1}`, reference: `db-${k}`, backingHeadroom: null }); break;
        case 5: add({ type: 'SetBankBalance', messageId, currency, balance: money(i, 999_000 + k, k), asOf: '2024-05-01' }); break;
        default: add({ type: 'Reserve', messageId, currency, amount, reservationId: `keep-${k}` });
      }
    }
    if (i % 7 === 0) add({ type: 'CreditLedger', messageId: `${i}/wrong-ccy`, currency: currency === 'USD' ? 'EUR' : 'USD', amount: d('1'), reference: 'x' });
    return msgs;
  });
}

/** Expected states from decide/evolve alone, and which message ids are expected to be rejected. */
export function expected(perAccount: Message[][], limits: AccountLimits): { states: Map<string, string>; rejected: Set<string> } {
  const states = new Map<string, string>();
  const rejected = new Set<string>();
  for (const msgs of perAccount) {
    let s: AccountState = initialAccount(limits);
    for (const { actor, command } of msgs) {
      const decision = decideAccount(s, command);
      if (isRejection(decision)) rejected.add(`${actor}|${command.messageId}`);
      else for (const e of decision.events) s = evolveAccount(s, e);
      states.set(actor, stateJson(s));
    }
  }
  return { states, rejected };
}

export function stateJson(s: AccountState | null | undefined): string {
  return s == null ? 'none' : JSON.stringify(accountStateCodec.encode(s));
}

/** The account's state as its journal alone says (no snapshot, no actor). */
export async function foldJournal(journal: Journal, actor: string, limits: AccountLimits = ACCOUNT_LIMITS_DEFAULT): Promise<string> {
  let s: AccountState = initialAccount(limits);
  for (const e of await journal.load(actor, 0, 1_000_000)) s = evolveAccount(s, fromJournal(accountEventCodec, e));
  return stateJson(s);
}

/** Sends messages interleaved across accounts, in per-account order, all without waiting. */
export function interleave(perAccount: Message[][]): Message[] {
  const out: Message[] = [];
  const longest = Math.max(...perAccount.map((m) => m.length));
  for (let k = 0; k < longest; k++) for (const msgs of perAccount) if (msgs[k] !== undefined) out.push(msgs[k]!);
  return out;
}

export const until = async (condition: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};
