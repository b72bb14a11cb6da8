// The contract between the streaming reader and one message family's mapper. The reader hands
// over each record element (an Ntry, a CdtTrfTxInf ...) as soon as it closes, then the rest of
// the Document when it ends; the mapper turns both into the model.

import type { Iso20022Message } from '../model.ts';
import type { XNode } from '../xml/tree.ts';
import type { MapContext } from './context.ts';

/** Records mapped so far, grouped by the ordinal of their container (Stmt[i], PmtInf[i] ...). */
export interface RecordBuckets {
  /** Kept records per container; empty when the reader streams records without keeping them. */
  readonly kept: Map<number, unknown[]>;
  /** How many records each container had, kept or not. */
  readonly counts: Map<number, number>;
}

export interface MessageMapper {
  /** Element path prefix of a record, e.g. `Stmt[0]/Ntry[3]`. */
  recordPath(container: XNode, containerIndex: number, recordIndex: number): string;
  record(ctx: MapContext, node: XNode, path: string, recordIndex: number): unknown;
  message(ctx: MapContext, root: XNode, records: RecordBuckets): Iso20022Message;
}

export function bucket<T>(records: RecordBuckets, containerIndex: number): { kept: T[]; count: number } {
  return {
    kept: (records.kept.get(containerIndex) ?? []) as T[],
    count: records.counts.get(containerIndex) ?? 0,
  };
}
