// A long-running intake: the ingestion pipeline over one Source for the life of the service (the
// NATS consumer, the inbox directory). It logs what needs an operator (dead letters, retries, a
// verdict the source failed to take) and counts the rest, and stops in the order that loses
// nothing: close the source first (no new pulls), then let every delivery already handed out run
// to its settle, then report. A delivery still unsettled when the wait runs out is left to its
// source (the broker redelivers it after ack_wait; an inbox file stays in the inbox).

import type { Subscription } from 'rxjs';
import type { Source } from '../source.ts';
import { ingest, type IngestOptions, type IngestReport, type Verdict } from './pipeline.ts';

/** The part of pino (fastify's `app.log`) an intake uses. */
export interface IntakeLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RunOptions {
  readonly log: IntakeLog;
  /** Every report, after it was counted (metrics). */
  readonly onReport?: ((report: IngestReport) => void) | undefined;
}

export class RunningIntake {
  readonly counts: Record<Verdict, number> = { applied: 0, duplicate: 0, unrouted: 0, dead_lettered: 0, retry: 0 };
  /** Why the pipeline ended on its own (the source's iterator threw); null while it runs or after stop. */
  failure: unknown = null;
  #running = true;
  #stopping = false;
  readonly #done: Promise<void>;
  readonly #subscription: Subscription;

  constructor(readonly source: Source, options: IngestOptions, run: RunOptions) {
    let ended!: () => void;
    this.#done = new Promise<void>((resolve) => (ended = resolve));
    const finish = (err: unknown): void => {
      this.#running = false;
      if (!this.#stopping) {
        // Nobody asked it to stop: the intake is dead until a restart, and health says so.
        this.failure = err ?? new Error(`${source.name} ended`);
        run.log.error({ err: this.failure, source: source.name }, 'intake stopped on its own');
      }
      ended();
    };
    this.#subscription = ingest(source, options).subscribe({
      next: (report) => {
        this.counts[report.verdict]++;
        logReport(run.log, report);
        run.onReport?.(report);
      },
      error: finish,
      complete: () => finish(null),
    });
  }

  get running(): boolean {
    return this.#running;
  }

  /** Stops pulling, waits for the deliveries in flight to settle (at most `timeoutMs`). */
  async stop(timeoutMs = 30_000): Promise<'drained' | 'timeout'> {
    this.#stopping = true;
    await this.source.close();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([this.#done.then(() => 'drained' as const), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') this.#subscription.unsubscribe();
    return result;
  }
}

function logReport(log: IntakeLog, r: IngestReport): void {
  const what = { source: r.source, delivery: r.id, messages: r.messages, entries: r.entries, codes: r.codes };
  if (r.settleError !== null) log.warn({ ...what, verdict: r.verdict, err: r.settleError }, 'the source did not take the verdict; it will deliver again');
  if (r.verdict === 'dead_lettered') log.warn({ ...what, deadLetter: r.deadLetterId }, 'dead-lettered');
  else if (r.verdict === 'retry') log.warn({ ...what, detail: r.detail }, 'not applied, to be retried');
  else if (r.rejections.length > 0) log.warn({ ...what, deadLetter: r.deadLetterId }, 'entries rejected');
}
