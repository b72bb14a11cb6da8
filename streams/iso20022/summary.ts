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

// Classes, not closures: a summarizer is made per message, and methods on a prototype cost nothing
// per instance.
class ReportSummarizer implements Summarizer {
  private entries = 0;
  private readonly credits = new Sums();
  private readonly debits = new Sums();

  record(r: unknown): void {
    const e = r as Entry;
    this.entries++;
    if (e.direction === 'CRDT') this.credits.add(e.amount);
    else if (e.direction === 'DBIT') this.debits.add(e.amount);
  }

  finish(): Summary {
    return { entries: this.entries, credits: this.credits.toJSON(), debits: this.debits.toJSON() };
  }
}

class TransferSummarizer implements Summarizer {
  private transactions = 0;
  private readonly total = new Sums();

  constructor(private readonly returns: boolean) {}

  record(r: unknown): void {
    this.transactions++;
    this.total.add(this.returns ? (r as ReturnTransaction).returnedAmount : (r as CreditTransfer).amount);
  }

  finish(): Summary {
    return { transactions: this.transactions, total: this.total.toJSON() };
  }
}

class StatusSummarizer implements Summarizer {
  private transactions = 0;
  // No prototype: a status code comes from the input, and `__proto__` must count like any other.
  private readonly statuses: Record<string, number> = Object.create(null) as Record<string, number>;

  record(r: unknown): void {
    this.count((r as TransactionStatus).status);
  }

  finish(m: Iso20022Message): Summary {
    if (m.type === 'pain.002' || m.type === 'camt.056' || m.type === 'camt.029') for (const t of m.transactions) this.count(t.status);
    const statuses = { ...this.statuses };
    const group = m.type === 'pacs.002' || m.type === 'pain.002' ? m.groupStatus : undefined;
    return group === undefined ? { transactions: this.transactions, statuses } : { transactions: this.transactions, statuses, groupStatus: group };
  }

  private count(status: string | undefined): void {
    this.transactions++;
    if (status !== undefined) this.statuses[status] = (this.statuses[status] ?? 0) + 1;
  }
}

export function summarizerFor(type: MessageType): Summarizer {
  switch (type) {
    case 'camt.052':
    case 'camt.053':
    case 'camt.054':
      return new ReportSummarizer();
    case 'pacs.008':
    case 'pacs.009':
    case 'pain.001':
    case 'pacs.004':
      return new TransferSummarizer(type === 'pacs.004');
    default:
      return new StatusSummarizer();
  }
}
