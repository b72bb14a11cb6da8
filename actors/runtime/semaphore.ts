// A counting semaphore. It caps how many actors recover at once: a restart followed by traffic for
// 100,000 accounts would otherwise issue 200,000 journal reads together and starve the writes.
// Waiters are served in arrival order.

export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`semaphore size must be a positive integer, got ${max}`);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      // Hand the permit straight to the next waiter (active stays the same), or give it back.
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    }
  }

  get inUse(): number {
    return this.active;
  }
}
