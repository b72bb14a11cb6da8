// Between a domain event and the journal port's PendingEvent: the event's `type` and `messageId`
// become columns, the rest (already JSON-safe through its codec) is the payload. The wiring adds
// the actor id and the sequence number; this file only knows the shape of one event.

import { CodecError, type Codec, type Json } from './codec.ts';

export interface JournalForm {
  readonly type: string;
  readonly messageId: string;
  readonly payload: Json;
}

export interface Journaled {
  readonly type: string;
  readonly messageId: string;
}

export function toJournal<E extends Journaled>(codec: Codec<E>, event: E): JournalForm {
  const { type: _type, messageId: _messageId, ...payload } = codec.encode(event) as Record<string, Json>;
  return { type: event.type, messageId: event.messageId, payload };
}

export function fromJournal<E extends Journaled>(codec: Codec<E>, form: { readonly type: string; readonly messageId: string; readonly payload: unknown }): E {
  const payload = form.payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new CodecError('payload', 'expected an object');
  return codec.decode({ ...payload, type: form.type, messageId: form.messageId });
}
