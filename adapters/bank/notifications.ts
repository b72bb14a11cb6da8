// The mock bank's outbound channel of camt.054 notifications, where the notification faults happen.
// Like a bank's push (MQ, webhook), it keeps no backlog for absent subscribers: what is published
// while nobody listens is gone, and the statement is how deltran finds out. Delivery is in a
// microtask, never on the booking's own stack, so a listener that calls back into the bank cannot
// interleave with a booking half done; with faults off a notification reaches every listener before
// the submit that caused it has answered. A listener must not throw: the bank has nobody to report
// it to, so the exception is left uncaught (loud in a test) rather than swallowed.

import type { BankClock } from './clock.ts';
import type { BankNotification, NotificationListener } from './client.ts';
import type { Faults } from './faults.ts';

interface Held {
  readonly notification: BankNotification;
  readonly cancel: () => void;
}

export class NotificationChannel {
  private readonly listeners = new Set<NotificationListener>();
  /** Delayed copies waiting for their timer, in scheduling order. */
  private readonly delayed = new Map<number, { readonly due: number; readonly notification: BankNotification; readonly cancel: () => void }>();
  /** Reordered copies, waiting for the next notification to overtake them. */
  private held: Held[] = [];
  private nextId = 0;
  /** Copies handed to listeners, duplicates counted, drops not. */
  delivered = 0;

  constructor(
    private readonly faults: Faults,
    private readonly clock: BankClock,
  ) {}

  subscribe(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Notifications not yet delivered: delayed or held back for reordering. */
  get pending(): number {
    return this.delayed.size + this.held.length;
  }

  publish(notification: BankNotification): void {
    const f = this.faults.notification(notification.messageId);
    if (f.drop) return;
    const copies = f.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (f.delayMs > 0) this.delay(notification, f.delayMs, f.reorder);
      else this.arrive(notification, f.reorder);
    }
  }

  /** Delivers everything delayed (in due order) and held, now: the end of a test or a day. */
  flush(): void {
    const delayed = [...this.delayed.entries()].sort(([a, x], [b, y]) => x.due - y.due || a - b);
    this.delayed.clear();
    for (const [, d] of delayed) {
      d.cancel();
      this.arrive(d.notification, false);
    }
    this.releaseHeld();
  }

  private delay(notification: BankNotification, ms: number, reorder: boolean): void {
    const id = this.nextId++;
    const cancel = this.clock.schedule(() => {
      this.delayed.delete(id);
      this.arrive(notification, reorder);
    }, ms);
    this.delayed.set(id, { due: this.clock.now() + ms, notification, cancel });
  }

  private arrive(notification: BankNotification, reorder: boolean): void {
    if (reorder) return this.hold(notification);
    this.deliver(notification);
    this.releaseHeld();
  }

  /** Held until the next notification has gone out, but never past `reorderMaxMs`. */
  private hold(notification: BankNotification): void {
    const entry: Held = {
      notification,
      cancel: this.clock.schedule(() => {
        this.held = this.held.filter((h) => h !== entry);
        this.deliver(notification);
      }, this.faults.reorderMaxMs),
    };
    this.held.push(entry);
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = [];
    for (const h of held) {
      h.cancel();
      this.deliver(h.notification);
    }
  }

  private deliver(notification: BankNotification): void {
    this.delivered++;
    queueMicrotask(() => {
      for (const l of this.listeners) l(notification);
    });
  }
}
