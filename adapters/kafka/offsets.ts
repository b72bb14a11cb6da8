// Which Kafka offset may be committed, when deliveries of one partition are settled in any order.
// Kafka commits one number per partition ("everything before this is done"), so a commit may
// only move past offsets that are all settled: with 10, 11, 12 delivered and 10 and 12 acked,
// the commit stays at 11 until 11 settles. Offsets are not contiguous in general (compaction,
// transaction markers), so the rule works on the offsets actually delivered, in order.
//
// `committableOffset` is that rule as a pure function (the tests check it against random settle
// orders); `PartitionTracker` applies it incrementally for one partition and forgets the settled
// prefix, so its memory is bounded by the deliveries in flight. A nak rewinds the partition: the
// consumer seeks back to the nak'd offset, and deliveries handed out after it belong to an older
// epoch whose settles no longer count (those messages come again; dedupe makes that harmless).

import assert from 'node:assert/strict';

/**
 * `delivered`: the offsets handed out since the last commit, ascending. `settled`: those done
 * (acked, or termed and recorded as poison). Returns the offset to commit (the one after the
 * longest settled prefix, as Kafka expects), or undefined when the first one is not settled.
 */
export function committableOffset(delivered: readonly bigint[], settled: ReadonlySet<bigint>): bigint | undefined {
  let next: bigint | undefined;
  for (const offset of delivered) {
    if (!settled.has(offset)) break;
    next = offset + 1n;
  }
  return next;
}

export class PartitionTracker {
  /** Offsets handed out and not yet committed past, ascending. */
  #delivered: bigint[] = [];
  #settled = new Set<bigint>();
  #epoch = 0;
  /** The lowest nak'd offset since the last rewind: where the consumer must seek back to. */
  #rewindTo: bigint | undefined;

  get epoch(): number {
    return this.#epoch;
  }

  get inFlight(): number {
    return this.#delivered.length - this.#settled.size;
  }

  get rewindTo(): bigint | undefined {
    return this.#rewindTo;
  }

  /** Records a delivery; returns the epoch its settle must present. */
  deliver(offset: bigint): number {
    const last = this.#delivered.at(-1);
    assert.ok(last === undefined || offset > last, `offset ${offset} delivered after ${last}`);
    this.#delivered.push(offset);
    return this.#epoch;
  }

  /** Marks an offset done; false when it belongs to a rewound epoch (ignored). */
  settle(offset: bigint, epoch: number): boolean {
    if (epoch !== this.#epoch) return false;
    assert.ok(this.#delivered.includes(offset) && !this.#settled.has(offset), `offset ${offset} settled but not in flight`);
    this.#settled.add(offset);
    return true;
  }

  /** A nak: the partition goes back to `offset` (or an earlier nak'd one) once the rest drains. */
  nak(offset: bigint, epoch: number): boolean {
    if (epoch !== this.#epoch) return false;
    assert.ok(this.#delivered.includes(offset) && !this.#settled.has(offset), `offset ${offset} nak'd but not in flight`);
    if (this.#rewindTo === undefined || offset < this.#rewindTo) this.#rewindTo = offset;
    return true;
  }

  /** True when every delivery before the rewind point (or all, without one) is settled. */
  drained(): boolean {
    const limit = this.#rewindTo;
    return this.#delivered.every((o) => this.#settled.has(o) || (limit !== undefined && o >= limit));
  }

  /**
   * The offset to commit now, if it moved; forgets the settled prefix. Settled offsets after a
   * gap stay remembered until the gap fills.
   */
  advance(): bigint | undefined {
    const next = committableOffset(this.#delivered, this.#settled);
    if (next === undefined) return undefined;
    while (this.#delivered.length > 0 && (this.#delivered[0] as bigint) < next) {
      this.#settled.delete(this.#delivered.shift() as bigint);
    }
    return next;
  }

  /** After seeking back to rewindTo: a new epoch; everything still held is forgotten. */
  rewind(): bigint {
    const to = this.#rewindTo;
    assert.ok(to !== undefined, 'rewind without a nak');
    this.#epoch += 1;
    this.#delivered = [];
    this.#settled.clear();
    this.#rewindTo = undefined;
    return to;
  }
}
