// The backing figure of each currency: Σ of the bank-reported balance (`bank`) of every open
// client_funds account in that currency, i.e. the fiat the bank says is there for clients. The
// ledger balance is not used: it is deltran's own book, and a token must be backed by money the
// bank confirms, not by money deltran expects.
//
// Accounts are loaded lazily and can be evicted, so the figure cannot be summed over the live
// actors. It is held here instead, for ALL client_funds accounts: per account its last known bank
// balance and journal seq, per currency the total. It starts from durable data (the start-up scan
// in adapters/db/token-queries.ts: latest snapshot or BankBalanceSet, plus the later bank entries,
// per account) and is then moved by the accounts' `onApplied` hook, which reports every appended
// account event once it is durable. The seq kept per account makes the two sources compose: an
// event at or below the seq the scan read is already counted and is skipped.
//
// The race, and what is accepted: the token actor reads `of(currency)` when it decides a mint;
// a bank debit of a client_funds account that is journaled after that read (or in the instant
// between its commit and this hook) is not refused by anything, because a booked debit is the
// bank telling us money already left. Such a debit can put tokens outstanding above the backing;
// no ordering inside deltran could prevent that (the bank moved the money before deltran heard
// of it). It is detected, not hidden: GET /api/v1/tokens/ledgers shows `backed: false` and the
// shortfall, and every further mint of that currency is refused until fiat comes back. What the
// rule does guarantee: no mint is ever decided against fiat that was not journaled as booked.

import type BigNumber from 'bignumber.js';
import { bankFigureAfter, type AccountEvent } from '../account/events.ts';
import { invariant } from '../decision.ts';
import { ZERO } from '../money.ts';

/** One client_funds account as the start-up scan found it. */
export interface ClientFundsAccount {
  /** The account's actor id (`account:<id>:<ccy>`). */
  readonly actor: string;
  readonly currency: string;
  /** The bank-reported balance at `seq`. */
  readonly bank: BigNumber;
  /** The account's last journal seq that the scan read. */
  readonly seq: number;
}

/** What the token actor needs: the backing figure of a currency, at decision time. */
export interface BackingPort {
  of(currency: string): BigNumber;
}

interface Held {
  readonly currency: string;
  bank: BigNumber;
  seq: number;
}

export class ClientFundsBacking implements BackingPort {
  private readonly accounts = new Map<string, Held>();
  private readonly totals = new Map<string, BigNumber>();

  constructor(
    initial: Iterable<ClientFundsAccount> = [],
    /** Events that arrive out of order (another writer of the same account): for the log. */
    private readonly onGap?: (actor: string, expected: number, got: number) => void,
  ) {
    for (const a of initial) this.hold(a.actor, a.currency, a.bank, a.seq);
  }

  of(currency: string): BigNumber {
    return this.totals.get(currency) ?? ZERO;
  }

  /** Currencies with at least one client_funds account. */
  currencies(): string[] {
    return [...this.totals.keys()].sort();
  }

  isClientFunds(actor: string): boolean {
    return this.accounts.has(actor);
  }

  /** Client_funds accounts counted, in all currencies. */
  get size(): number {
    return this.accounts.size;
  }

  /**
   * The accounts' onApplied hook: `events` were appended at seqs `seq - events.length + 1 .. seq`.
   * Never throws for a well-formed event (the hook runs inside the account's turn).
   */
  observe(actor: string, seq: number, events: readonly AccountEvent[]): void {
    const first = seq - events.length + 1;
    events.forEach((event, i) => this.apply(actor, first + i, event));
  }

  private apply(actor: string, seq: number, event: AccountEvent): void {
    const held = this.accounts.get(actor);
    if (event.type === 'AccountOpened') {
      if (event.accountType === 'client_funds' && held === undefined) this.hold(actor, event.ref.currency, event.bank, seq);
      return;
    }
    if (held === undefined || seq <= held.seq) return;
    if (seq !== held.seq + 1) this.onGap?.(actor, held.seq + 1, seq);
    const bank = bankAfter(held.bank, event);
    if (bank !== held.bank) {
      this.totals.set(held.currency, this.of(held.currency).plus(bank.minus(held.bank)));
      held.bank = bank;
    }
    held.seq = seq;
  }

  private hold(actor: string, currency: string, bank: BigNumber, seq: number): void {
    invariant(!this.accounts.has(actor), `client_funds account ${actor} counted twice`);
    this.accounts.set(actor, { currency, bank, seq });
    this.totals.set(currency, this.of(currency).plus(bank));
  }
}

/**
 * How an account event moves the bank-reported balance, as the account's evolve does it: a booked
 * entry (matched to a pay-in or not) by its CdtDbtInd only, a statement balance replaces it.
 * Returns the same object when the event does not touch it.
 */
export function bankAfter(bank: BigNumber, event: AccountEvent): BigNumber {
  return bankFigureAfter(bank, event);
}
