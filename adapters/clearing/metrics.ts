// Prometheus metrics of the clearing engine, on the server's registry (http/metrics.ts). The
// service counts in plain fields (it exists before the server and in benchmarks without one);
// the metrics read them at scrape time.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class ClearingCounters {
  /** Obligations by verdict and code (ACCEPTED, or the rejection code). */
  readonly obligations = new Map<string, number>();
  /** Window closes (cut-off → result durable), seconds, for the histogram. */
  readonly closes: number[] = [];
  /** Obligations and instructions rolled into a later window (the alert). */
  readonly rolledOver = { excluded: 0, instructions: 0 };
  private histogram: Histogram | undefined;

  count(code: string, n = 1): void {
    this.obligations.set(code, (this.obligations.get(code) ?? 0) + n);
  }

  closed(seconds: number): void {
    this.closes.push(seconds);
    if (this.closes.length > 1_000) this.closes.shift();
    this.histogram?.observe(seconds);
  }

  instrument(registry: Registry, windowsByState: () => ReadonlyMap<string, number>): void {
    const self = this;
    new Counter({
      name: 'deltran_clearing_obligations_total',
      help: 'Obligations offered to clearing, by verdict (accepted, rejected) and code',
      labelNames: ['verdict', 'code'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [code, n] of self.obligations) this.inc({ verdict: code === 'ACCEPTED' ? 'accepted' : 'rejected', code }, n);
      },
    });
    new Gauge({
      name: 'deltran_clearing_windows',
      help: 'Clearing windows known to this process, by state',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const state of ['OPEN', 'CLOSING', 'NETTING', 'SETTLING', 'COMPLETED', 'FAILED']) this.set({ state }, 0);
        for (const [state, n] of windowsByState()) this.set({ state }, n);
      },
    });
    this.histogram = new Histogram({
      name: 'deltran_clearing_close_seconds',
      help: 'Window close: cut-off to settlement instructions durable (netting included)',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    new Counter({
      name: 'deltran_clearing_rolled_over_total',
      help: 'Rolled into the next window (alert): excluded obligations under limits, settlement instructions not final (RETRY_NEXT_WINDOW)',
      labelNames: ['kind'] as const,
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ kind: 'excluded' }, self.rolledOver.excluded);
        this.inc({ kind: 'instructions' }, self.rolledOver.instructions);
      },
    });
  }
}
