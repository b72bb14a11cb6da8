// Time for the mock bank: booking dates, statement days, latency, timeouts and notification delays
// all read one clock, so a test can drive them with a manual clock and get the same order of events
// on every run (real timers with close deadlines race on a loaded machine). The system clock is the
// default for the service and the demo.

export interface BankClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once, `ms` from now; returns a cancel function. */
  schedule(fn: () => void, ms: number): () => void;
}

export const systemClock: BankClock = {
  now: () => Date.now(),
  schedule: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
};

interface Timer {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock that moves only when told. Timers run in (due time, scheduling order): ties keep the
 * order they were scheduled in, which is what makes delayed deliveries deterministic.
 */
export class ManualClock implements BankClock {
  private timers: Timer[] = [];
  private seq = 0;

  constructor(private current: number = Date.parse('2025-03-10T08:00:00Z')) {}

  now(): number {
    return this.current;
  }

  schedule(fn: () => void, ms: number): () => void {
    const timer: Timer = { due: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Timers not yet run. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward, running every timer that falls due on the way, one at a time. After each
   * one it lets promise continuations run (a macrotask turn), so a timer that resolves a call whose
   * caller then schedules another timer within the same span is also run in this advance.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = next.due;
      next.fn();
    }
    this.current = target;
  }

  private nextDue(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (t.due > limit) continue;
      if (best === undefined || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
