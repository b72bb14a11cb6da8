// Validation is a step of its own, separate from reading: it takes the model and returns findings.
// It is written as a fold (records one at a time, then the message) so the streaming reader can
// run it on a 100 MB statement without keeping the entries, and `validate(message)` runs the very
// same code on a message held in memory: it feeds the kept records through `record` first, with the
// paths the reader would have given them, then calls `finish`.

import { parseMessageId, type MessageId, type MessageType } from '../catalogue.ts';
import type { Finding } from '../findings.ts';
import type { Iso20022Message } from '../model.ts';
import { reportFold } from './reports.ts';
import { scopeOf, type Fold, type Scope } from './scope.ts';
import { investigationFold, returnFold, statusFold } from './status.ts';
import { initiationFold, interbankFold } from './transfers.ts';

export interface MessageValidator {
  /** One streamed record (Entry, CreditTransfer ...), with its element path and container ordinal. */
  record(record: unknown, path: string, containerIndex: number): void;
  /** The message without its records when they were streamed; returns every finding. */
  finish(message: Iso20022Message): Finding[];
}

const FOLDS: Readonly<Record<MessageType, (scope: Scope) => Fold>> = {
  'camt.052': reportFold,
  'camt.053': reportFold,
  'camt.054': reportFold,
  'pacs.008': interbankFold,
  'pacs.009': interbankFold,
  'pain.001': initiationFold,
  'pacs.002': statusFold,
  'pain.002': statusFold,
  'pacs.004': returnFold,
  'camt.056': investigationFold,
  'camt.029': investigationFold,
};

class FoldValidator implements MessageValidator {
  private readonly scope: Scope;
  private readonly fold: Fold;

  constructor(type: MessageType, id: MessageId) {
    this.scope = scopeOf(type, id);
    this.fold = FOLDS[type](this.scope);
  }

  record(rec: unknown, path: string, containerIndex: number): void {
    this.fold.record(rec, path, containerIndex);
  }

  finish(message: Iso20022Message): Finding[] {
    this.fold.finish(message);
    return this.scope.findings;
  }
}

export function validatorFor(type: MessageType, id: MessageId): MessageValidator {
  return new FoldValidator(type, id);
}

/** Validates a message held in memory; `id` is its version, e.g. `camt.053.001.02`. */
export function validate(message: Iso20022Message, id: MessageId | string): Finding[] {
  const messageId = typeof id === 'string' ? parseMessageId(id) : id;
  const validator = validatorFor(message.type, messageId);
  for (const [rec, path, containerIndex] of recordsOf(message)) validator.record(rec, path, containerIndex);
  return validator.finish(message);
}

type RecordVisit = readonly [record: unknown, path: string, containerIndex: number];

/** The streamed records a message holds, with the paths the reader gives them (see the mappers). */
export function* recordsOf(m: Iso20022Message): Generator<RecordVisit> {
  switch (m.type) {
    case 'camt.052':
    case 'camt.053':
    case 'camt.054': {
      const element = m.type === 'camt.052' ? 'Rpt' : m.type === 'camt.053' ? 'Stmt' : 'Ntfctn';
      for (const r of m.reports) for (const e of r.entries) yield [e, `${element}[${r.index}]/Ntry[${e.index}]`, r.index];
      return;
    }
    case 'pacs.008':
    case 'pacs.009':
      for (const t of m.transfers) yield [t, `CdtTrfTxInf[${t.index}]`, 0];
      return;
    case 'pain.001':
      for (const p of m.payments) for (const t of p.transfers) yield [t, `PmtInf[${p.index}]/CdtTrfTxInf[${t.index}]`, p.index];
      return;
    case 'pacs.002':
      for (const t of m.transactions) yield [t, `TxInfAndSts[${t.index}]`, 0];
      return;
    case 'pacs.004':
      for (const t of m.transactions) yield [t, `TxInf[${t.index}]`, 0];
      return;
    // pain.002, camt.056 and camt.029 stream nothing: their transactions are part of the message.
    default:
      return;
  }
}
