// What every rule needs to know about the message it judges: its type, family and version (rules
// differ per version, and element names too), plus the one place findings are collected. A fold
// for one message family is two functions over a Scope: one per streamed record, one at the end.

import type { MessageId, MessageType } from '../catalogue.ts';
import type { Finding } from '../findings.ts';
import type { Iso20022Message } from '../model.ts';
import { familyOf, fieldTable, type Family, type Field, type FieldTable } from '../versions.ts';

export interface Scope {
  readonly type: MessageType;
  readonly id: MessageId;
  readonly family: Family;
  readonly version: number;
  /** This version's element names (resolved once per version, shared). */
  readonly fields: FieldTable;
  readonly findings: Finding[];
}

export function scopeOf(type: MessageType, id: MessageId): Scope {
  const family = familyOf(type);
  return { type, id, family, version: id.version, fields: fieldTable(family, id.version), findings: [] };
}

/** What a check returns when all is well: one shared empty list, so the hot path allocates nothing. */
export const NONE: readonly Finding[] = Object.freeze([]);

/** The per-family half of a validator: the same shape as MessageValidator, writing into a Scope. */
export interface Fold {
  record(record: unknown, path: string, containerIndex: number): void;
  finish(message: Iso20022Message): void;
}

/**
 * The element path this version uses for a renamed field (`FinInstnId/BICFI` in a v08, `BIC` in a
 * v02), so a finding points at the name the sender's schema has. The fallback is the newest name.
 */
export function ownPath(scope: Scope, field: Field, fallback: string): string {
  return scope.fields.get(field)?.own ?? fallback;
}

/** `base/child`, or `child` at the message root. */
export function join(base: string, child: string): string {
  return base === '' ? child : `${base}/${child}`;
}
