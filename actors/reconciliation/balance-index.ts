// Every account's reconciliation figures in one compact in-memory index: ledger, bank-reported
// balance, last journaled level and breaker, for ALL accounts, loaded or not. Tier 2 compares
// 100,000 accounts in well under a second from here; loading every account actor to read its
// state would cost a journal recovery each (bench/actors: ~60 s for 100,000), and the side index
// holds only the loaded ones.
//
// It is fed exactly as the token backing figure is (actors/tokens/backing.ts): a start-up scan of
// the journal before any account actor exists (adapters/db/reconciliation-queries.ts), then the
// accounts' onApplied hook, with the seq kept per account so the two compose (an event at or below
// the seq the scan read is already counted). `applyFigures` mirrors the account's evolve for the
// four figures it keeps; test/actors/reconciliation/balance-index.test.ts holds them equal over
// random histories.

import type BigNumber from 'bignumber.js';
import { bankFigureAfter, type AccountEvent } from '../account/events.ts';
import type { AccountRef, AccountType, ReconciliationStatus } from '../account/model.ts';
import { STATUS_OF, type ReconciliationCheck } from '../account/reconciliation.ts';

export interface Figures {
  /** The account's actor id (`account:<id>:<ccy>`). */
  readonly actor: string;
  readonly ref: AccountRef;
  readonly type: AccountType;
  ledger: BigNumber;
  bank: BigNumber;
  status: ReconciliationStatus;
  breakerOpen: boolean;
  seq: number;
}

export interface FiguresChange {
  readonly figures: Figures;
  /** The bank figure before the event (the same object when it did not move). */
  readonly bankBefore: BigNumber;
  readonly opened: boolean;
}

export class BalanceIndex {
  private readonly accounts = new Map<string, Figures>();

  constructor(
    initial: Iterable<Figures> = [],
    /** Events out of order (another writer of the same account): for the log. */
    private readonly onGap?: (actor: string, expected: number, got: number) => void,
  ) {
    for (const f of initial) this.accounts.set(f.actor, f);
  }

  get(actor: string): Figures | undefined {
    return this.accounts.get(actor);
  }

  values(): IterableIterator<Figures> {
    return this.accounts.values();
  }

  get size(): number {
    return this.accounts.size;
  }

  /**
   * The accounts' onApplied hook: `events` were appended at seqs `seq - events.length + 1 .. seq`.
   * Calls `changed` for each event that touched the account's figures. Never throws for a
   * well-formed event (the hook runs inside the account's turn).
   */
  observe(actor: string, seq: number, events: readonly AccountEvent[], changed?: (c: FiguresChange, event: AccountEvent) => void): void {
    const first = seq - events.length + 1;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const at = first + i;
      let held = this.accounts.get(actor);
      if (event.type === 'AccountOpened') {
        if (held !== undefined) continue;
        held = {
          actor, ref: event.ref, type: event.accountType, ledger: event.ledger, bank: event.bank,
          status: 'UNCHECKED', breakerOpen: false, seq: at,
        };
        this.accounts.set(actor, held);
        changed?.({ figures: held, bankBefore: event.bank, opened: true }, event);
        continue;
      }
      if (held === undefined || at <= held.seq) continue;
      if (at !== held.seq + 1) this.onGap?.(actor, held.seq + 1, at);
      const bankBefore = held.bank;
      applyFigures(held, event);
      held.seq = at;
      changed?.({ figures: held, bankBefore, opened: false }, event);
    }
  }
}

/** How an event moves the figures, as evolveAccount moves the state (evolve.ts). Mutates `f`. */
export function applyFigures(f: Figures, event: AccountEvent): void {
  switch (event.type) {
    case 'BankEntryBooked':
      f.bank = bankFigureAfter(f.bank, event);
      return checked(f, event.check);
    case 'PayInMatched':
      f.bank = bankFigureAfter(f.bank, event);
      f.ledger = f.ledger.plus(event.entry.amount);
      return checked(f, event.check);
    case 'BankBalanceObserved':
      return checked(f, event.check);
    case 'StatementReconciled':
      f.bank = event.closing;
      return checked(f, event.check);
    case 'LedgerDebited':
      f.ledger = f.ledger.minus(event.amount);
      return;
    case 'LedgerCredited':
      f.ledger = f.ledger.plus(event.amount);
      return;
    case 'BankBalanceSet':
      f.bank = event.balance;
      return;
    case 'BreakerTripped':
      f.breakerOpen = true;
      return;
    case 'BreakerReset':
      f.breakerOpen = false;
      return checked(f, event.check);
    default:
      return;
  }
}


function checked(f: Figures, check: ReconciliationCheck | null): void {
  if (check === null) return;
  f.status = STATUS_OF[check.level];
  if (check.trips) f.breakerOpen = true;
}
