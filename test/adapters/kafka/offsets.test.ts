// The Kafka commit rule as a pure function and as the incremental tracker: for random sets of
// delivered offsets (with gaps, as compaction leaves them) settled in random orders, the offset
// committed is always one past the longest settled prefix, never beyond an unsettled offset, and
// the tracker's running answer equals the pure function's at every step.

import test from 'ava';
import fc from 'fast-check';
import { committableOffset, PartitionTracker } from '../../../adapters/kafka/offsets.ts';

test('committableOffset: examples', (t) => {
  const d = [10n, 11n, 12n, 15n];
  t.is(committableOffset(d, new Set()), undefined);
  t.is(committableOffset(d, new Set([11n, 12n])), undefined, 'the first is unsettled: nothing');
  t.is(committableOffset(d, new Set([10n, 12n])), 11n);
  t.is(committableOffset(d, new Set([10n, 11n, 12n])), 13n);
  t.is(committableOffset(d, new Set(d)), 16n, 'gaps in offsets are not waited for');
});

const scenario = fc
  .uniqueArray(fc.bigInt({ min: 0n, max: 500n }), { minLength: 1, maxLength: 40 })
  .map((xs) => xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
  .chain((delivered) => fc.tuple(fc.constant(delivered), fc.shuffledSubarray(delivered, { minLength: 0, maxLength: delivered.length })));

test('committableOffset never passes an unsettled offset, and reaches every settled prefix', (t) => {
  fc.assert(fc.property(scenario, ([delivered, order]) => {
    const settled = new Set(order);
    const next = committableOffset(delivered, settled);
    const firstOpen = delivered.find((o) => !settled.has(o));
    if (next === undefined) return firstOpen === delivered[0];
    const passed = delivered.filter((o) => o < next);
    return passed.every((o) => settled.has(o)) && (firstOpen === undefined || next <= firstOpen) && (firstOpen === undefined ? next === (delivered.at(-1) as bigint) + 1n : true);
  }));
  t.pass();
});

test('PartitionTracker commits monotonically and matches the pure rule after every settle', (t) => {
  fc.assert(fc.property(scenario, ([delivered, order]) => {
    const tracker = new PartitionTracker();
    for (const o of delivered) tracker.deliver(o);
    const settled = new Set<bigint>();
    let committed: bigint | undefined;
    for (const o of order) {
      settled.add(o);
      tracker.settle(o, 0);
      const moved = tracker.advance();
      const expected = committableOffset(delivered, settled);
      if (moved !== undefined) {
        if (committed !== undefined && moved <= committed) return false;
        committed = moved;
      }
      if (committed !== expected) return false;
    }
    return tracker.inFlight === delivered.length - order.length;
  }));
  t.pass();
});

test('a nak rewinds: settles of the old epoch are ignored, drained waits only for what precedes it', (t) => {
  const tracker = new PartitionTracker();
  const e = [5n, 6n, 7n, 8n].map((o) => tracker.deliver(o));
  t.true(tracker.settle(5n, e[0] as number));
  t.true(tracker.nak(7n, e[2] as number));
  t.false(tracker.drained(), '6 is still open');
  t.true(tracker.settle(6n, e[1] as number));
  t.true(tracker.drained(), '8 is after the nak: not waited for');
  t.is(tracker.advance(), 7n, 'commit up to the nak');
  t.is(tracker.rewind(), 7n);
  t.false(tracker.settle(8n, e[3] as number), 'an old-epoch settle does not count');
  t.is(tracker.deliver(7n), 1);
});

test('settling an offset twice or one never delivered is a programming error', (t) => {
  const tracker = new PartitionTracker();
  tracker.deliver(1n);
  tracker.settle(1n, 0);
  t.throws(() => tracker.settle(1n, 0));
  t.throws(() => tracker.settle(2n, 0));
  t.throws(() => tracker.deliver(0n), { message: /delivered after/ });
});
