// Validation is a step of its own, separate from reading: it takes the model and returns findings.
// It is written as a fold (records one at a time, then the message) so the streaming reader can
// run it on a 100 MB statement without keeping the entries, and `validate(message)` runs the very
// same code on a message held in memory.

import type { MessageId, MessageType } from '../catalogue.ts';
import type { Finding } from '../findings.ts';
import type { Iso20022Message } from '../model.ts';

export interface MessageValidator {
  /** One streamed record (Entry, CreditTransfer ...), with its element path and container ordinal. */
  record(record: unknown, path: string, containerIndex: number): void;
  /** The message without its records when they were streamed; returns every finding. */
  finish(message: Iso20022Message): Finding[];
}

export function validatorFor(_type: MessageType, _id: MessageId): MessageValidator {
  const findings: Finding[] = [];
  return {
    record() {},
    finish: () => findings,
  };
}
