// The references of a settlement instruction, all derived from its id, so that a resend after a
// crash or a timeout is the same request byte for byte in what the bank compares (the idempotency
// key, the UETR, the EndToEndId; instruction.ts `fingerprint`): a fresh UETR on a resend would
// make a second payment look like a different one to every gpi tracker downstream.

import { createHash } from 'node:crypto';

const MAX35 = 35;

/**
 * A UUID v4 (RFC 4122 layout: version nibble 4, variant 10xx) whose 122 other bits are the first
 * bits of SHA-256("deltran/settlement/uetr/" + id). Random-looking, as v4 receivers expect, and the
 * same for the same instruction on every run and in every process.
 */
export function instructionUetr(instructionId: string): string {
  const b = createHash('sha256').update(`deltran/settlement/uetr/${instructionId}`).digest();
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * EndToEndId, InstrId and MsgId (Max35Text): the instruction id itself when it fits (it names the
 * window, currency and ordinal: what an operator at the bank wants to read), else a 32-character
 * digest of it behind `DT`.
 */
export function instructionReference(instructionId: string): string {
  if (instructionId.length > 0 && instructionId.length <= MAX35 && /^[\x21-\x7e]+$/.test(instructionId)) return instructionId;
  return `DT${createHash('sha256').update(instructionId).digest('hex').slice(0, 32)}`;
}
