// A seeded pseudo-random generator (mulberry32) for fault injection: the same seed gives the same
// sequence of faults on every machine and every run, so a failing fault-injected test can be
// replayed. Not for anything that needs unpredictability: 32 bits of state, chosen for being tiny
// and exactly reproducible (integer arithmetic only, no platform-dependent floats before the last
// division). Math.random is never used, because it cannot be seeded.

export type Rng = () => number;

/** Uniform in [0, 1). */
export function seededRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new TypeError(`the fault seed must be an integer, got ${seed}`);
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An independent stream for another purpose from the same seed. Calls and notifications draw from
 * separate streams so that one more notification does not shift every later call fault, which would
 * make a small change to a test scenario reshuffle all of its faults.
 */
export function derivedRng(seed: number, stream: number): Rng {
  if (!Number.isInteger(seed)) throw new TypeError(`the fault seed must be an integer, got ${seed}`);
  return seededRng((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + stream * 0x27d4eb2f) | 0);
}
