// The figures `deltran parse` prints per message: for reports, the number of entries and the sums
// of credit and debit entries per currency; for transfers, the number of transactions and their
// total per currency. A fold, like validation, so it works on streamed records.

import BigNumber from 'bignumber.js';
import type { MessageType } from './catalogue.ts';
import type { Amount, CreditTransfer, Entry, Iso20022Message, ReturnTransaction, TransactionStatus } from './model.ts';
import { formatAmount } from './money.ts';

export type Summary =
  | { entries: number; credits: Record<string, string>; debits: Record<string, string> }
  | { transactions: number; total: Record<string, string> }
  | { transactions: number; statuses: Record<string, number>; groupStatus?: string };

export interface Summarizer {
  record(record: unknown): void;
  finish(message: Iso20022Message): Summary;
}

class Sums {
  private readonly by = new Map<string, BigNumber>();
  add(a: Amount | undefined): void {
    if (a === undefined || !a.value.isFinite()) return;
    this.by.set(a.currency, (this.by.get(a.currency) ?? new BigNumber(0)).plus(a.value));
  }
  toJSON(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [ccy, v] of [...this.by].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[ccy] = formatAmount(v, ccy);
    return out;
  }
}

export function summarizerFor(type: MessageType): Summarizer {
  switch (type) {
    case 'camt.052':
    case 'camt.053':
    case 'camt.054': {
      let entries = 0;
      const credits = new Sums();
      const debits = new Sums();
      return {
        record(r) {
          const e = r as Entry;
          entries++;
          if (e.direction === 'CRDT') credits.add(e.amount);
          else if (e.direction === 'DBIT') debits.add(e.amount);
        },
        finish: () => ({ entries, credits: credits.toJSON(), debits: debits.toJSON() }),
      };
    }
    case 'pacs.008':
    case 'pacs.009':
    case 'pain.001':
    case 'pacs.004': {
      let transactions = 0;
      const total = new Sums();
      return {
        record(r) {
          transactions++;
          total.add(type === 'pacs.004' ? (r as ReturnTransaction).returnedAmount : (r as CreditTransfer).amount);
        },
        finish: () => ({ transactions, total: total.toJSON() }),
      };
    }
    default: {
      let transactions = 0;
      const statuses: Record<string, number> = {};
      const count = (s: string | undefined) => {
        transactions++;
        if (s !== undefined) statuses[s] = (statuses[s] ?? 0) + 1;
      };
      return {
        record: (r) => count((r as TransactionStatus).status),
        finish(m) {
          if (m.type === 'pain.002') for (const t of m.transactions) count(t.status);
          if (m.type === 'camt.056' || m.type === 'camt.029') for (const t of m.transactions) count(t.status);
          const group = m.type === 'pacs.002' || m.type === 'pain.002' ? m.groupStatus : undefined;
          return group === undefined ? { transactions, statuses } : { transactions, statuses, groupStatus: group };
        },
      };
    }
  }
}
