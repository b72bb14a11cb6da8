// The worker side of the reader thread (reader-thread.ts): reads each delivery as the pipeline
// does (same reader, same options) and answers its plan, or null when the main thread must read it.

import { parentPort } from 'node:worker_threads';
import { readBuffer } from '../iso20022/reader.ts';
import { encodePlan, planNotifications, READ_OPTIONS, type WirePlan } from './notification-plan.ts';
import type { ReadReply, ReadRequest } from './reader-thread.ts';

function planOf(bytes: ArrayBuffer): WirePlan | null {
  try {
    const plan = planNotifications(readBuffer(new Uint8Array(bytes), READ_OPTIONS));
    return plan === null ? null : encodePlan(plan);
  } catch {
    // A reader bug: the main thread reads it again and dead-letters it as READER_FAILED.
    return null;
  }
}

parentPort!.on('message', (batch: readonly ReadRequest[]) => {
  const replies: ReadReply[] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) replies[i] = { id: batch[i]!.id, plan: planOf(batch[i]!.bytes) };
  parentPort!.postMessage(replies);
});
