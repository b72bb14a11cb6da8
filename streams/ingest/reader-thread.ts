// Reading and validating XML is ~40% of the CPU a camt.054 costs the ingestion, and the main
// thread was the bottleneck (bench/ingest: the main thread saturated with a quarter of the machine
// idle). The reader thread reads each delivery and plans its entries (notification-plan.ts) on a
// worker thread; the main thread only sends the planned commands to the actors.
//
// Order: one worker answers in the order it was asked, and the answers settle in that order, so
// deliveries reach the actors in the order they arrived, as when read on the main thread.
// Anything the worker does not plan (not a plain valid camt.054 delivery, or a worker that failed)
// answers null and is read on the main thread: the worker can only make the common case cheaper,
// never change a verdict. A worker that dies is started again at the next delivery; after
// MAX_RESTARTS deaths in a row it stays off and everything is read on the main thread.

import { Worker } from 'node:worker_threads';
import { decodePlan, type NotificationPlan, type WirePlan } from './notification-plan.ts';
import type { NotificationReader } from './pipeline.ts';

export interface ReadRequest {
  readonly id: number;
  /** The delivery's bytes, transferred: a copy of their own. */
  readonly bytes: ArrayBuffer;
}

export interface ReadReply {
  readonly id: number;
  /** null: read it on the main thread. */
  readonly plan: WirePlan | null;
}

const MAX_RESTARTS = 3;

export class ReaderThread implements NotificationReader {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, (plan: NotificationPlan | null) => void>();
  private outbox: ReadRequest[] = [];
  private transfers: ArrayBuffer[] = [];
  private scheduled = false;
  private nextId = 0;
  private deaths = 0;
  private closed = false;
  /** Deliveries planned by the worker, and answered null (read on the main thread): for tests and metrics. */
  readonly stats = { planned: 0, fellBack: 0, workerDeaths: 0 };

  /** Problems it survives (a worker that died, an answer that did not decode): for the log. */
  onProblem: (what: string, err: unknown) => void = (what, err) => console.error(`deltran: ${what}`, err);

  /** On (the default) unless INGEST_READER_THREAD=off. */
  static fromEnv(): ReaderThread | undefined {
    return process.env['INGEST_READER_THREAD'] === 'off' ? undefined : new ReaderThread();
  }

  plan(data: Uint8Array): Promise<NotificationPlan | null> {
    if (this.closed || this.deaths >= MAX_RESTARTS) {
      this.stats.fellBack++;
      return Promise.resolve(null);
    }
    // A copy in an ArrayBuffer of its own: it is transferred (not cloned), and the caller's view
    // may be a window on a larger or pooled buffer (a NATS read, a Buffer) that must stay intact.
    const copy = new Uint8Array(data.byteLength);
    copy.set(data);
    const bytes = copy.buffer;
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.waiting.set(id, resolve);
      this.outbox.push({ id, bytes });
      this.transfers.push(bytes);
      if (!this.scheduled) {
        this.scheduled = true;
        // The deliveries of one turn go in one message: one post and one answer for them all.
        setImmediate(this.flush);
      }
    });
  }

  /** Stops the worker; deliveries still waiting are answered null (read on the main thread). */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.answerAllNull();
    if (worker !== null) await worker.terminate();
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const batch = this.outbox;
    const transfers = this.transfers;
    this.outbox = [];
    this.transfers = [];
    if (batch.length === 0) return;
    if (this.closed) {
      this.answerAllNull();
      return;
    }
    try {
      this.ensureWorker().postMessage(batch, transfers);
    } catch (err) {
      this.deaths++;
      this.stats.workerDeaths++;
      this.onProblem(`reader thread could not start or take work (${this.deaths} in a row); reading on the main thread`, err);
      for (const r of batch) this.answer(r.id, null);
    }
  };

  private ensureWorker(): Worker {
    if (this.worker !== null) return this.worker;
    // No flags of this process: loader hooks are not inherited by a worker, so its entry
    // registers deltran's loader itself (a `--import=tsx` of the tests would add a second one),
    // and V8 flags such as npm start's young-generation size are refused in a worker.
    const worker = new Worker(new URL('./read-worker.mjs', import.meta.url), { execArgv: [] });
    worker.unref();
    worker.on('message', (replies: readonly ReadReply[]) => {
      this.deaths = 0;
      for (const r of replies) {
        let plan: NotificationPlan | null = null;
        if (r.plan !== null) {
          try {
            plan = decodePlan(r.plan);
          } catch (err) {
            this.onProblem('reader thread: an answer did not decode; reading on the main thread', err);
          }
        }
        this.answer(r.id, plan);
      }
    });
    const died = (err: unknown): void => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.deaths++;
      this.stats.workerDeaths++;
      if (!this.closed) this.onProblem(`reader thread died (${this.deaths} in a row); its deliveries are read on the main thread`, err);
      this.answerAllNull();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private answer(id: number, plan: NotificationPlan | null): void {
    const resolve = this.waiting.get(id);
    if (resolve === undefined) return;
    this.waiting.delete(id);
    if (plan === null) this.stats.fellBack++;
    else this.stats.planned++;
    resolve(plan);
  }

  /** In id order (the map's insertion order): the deliveries go on in the order they came. */
  private answerAllNull(): void {
    for (const id of [...this.waiting.keys()]) this.answer(id, null);
  }
}
