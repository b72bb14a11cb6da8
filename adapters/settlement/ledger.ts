// deltran's own books of the settlement accounts an instruction moves. The expected movement is
// posted BEFORE the bank is asked: the bank's camt.054 then finds ledger and bank figures moving
// together, as a bank's own books do with an instruction it issued. Posted after the booking, the
// tier-1 check at the booking would see the whole amount as a discrepancy and trip the breaker of
// every settlement account that pays. The payer's debit is the gate that stops money moving: it is
// refused while the account's breaker is open or its payouts are suspended, and then nothing is
// sent. Message ids derive from the instruction, so a resend after a crash posts nothing twice.
//
// An account deltran does not hold (no open actor) is not posted: its books are the bank's alone.
//
// Posting ahead only keeps ledger and bank together while one instruction per account is in
// flight: with two, the first booking would find the second's posting and no booking for it. So
// the settler runs the instructions that share an account one after the other (KeyedLock), each
// until the bank's bookings of it are journaled on every account posted (or a time limit, after
// which reconciliation judges what the bank did).
// When the bank certainly did not book the instruction (rejected, refused, given up without
// doubt), both postings are reversed; an instruction in doubt keeps them (the late booking that
// would confirm it needs them), and reconciliation shows it if the bank never books it.

import type { AccountOutcome } from '../../actors/account/actor.ts';
import type { AccountCommand } from '../../actors/account/commands.ts';
import { accountActorOf } from './accounts.ts';
import type { InstructionRow } from './store.ts';

export interface AccountsPort {
  send(actorId: string, command: AccountCommand): Promise<AccountOutcome>;
}

export type Posting = { readonly ok: true; readonly actors: readonly string[] } | { readonly ok: false; readonly final: boolean; readonly reason: string };

const ATTEMPTS = 5;

export class SettlementLedger {
  constructor(private readonly accounts: AccountsPort) {}

  async post(r: InstructionRow): Promise<Posting> {
    const reference = `settlement ${r.instructionId}`;
    const common = { currency: r.currency, amount: r.amount, reference };
    const actors: string[] = [];
    if (r.payerAccount !== null) {
      const actor = accountActorOf(r.payerAccount, r.currency);
      const debit = await this.send(actor, { type: 'DebitLedger', messageId: `settlement:${r.instructionId}:debit`, ...common, reservationId: null, backingHeadroom: null });
      if (!debit.ok) return debit;
      actors.push(...debit.actors);
    }
    if (r.payeeAccount !== null) {
      const actor = accountActorOf(r.payeeAccount, r.currency);
      const credit = await this.send(actor, { type: 'CreditLedger', messageId: `settlement:${r.instructionId}:credit`, ...common });
      // Nothing stays half posted: the debit is taken back before the instruction is refused.
      if (!credit.ok && credit.final && r.payerAccount !== null) await this.undoDebit(r);
      if (!credit.ok) return credit;
      actors.push(...credit.actors);
    }
    return { ok: true, actors };
  }

  /** Undoes `post` for an instruction the bank did not book. A refused reversal is reported, not retried forever. */
  async reverse(r: InstructionRow): Promise<Posting> {
    const reference = `reversal of settlement ${r.instructionId}`;
    const common = { currency: r.currency, amount: r.amount, reference };
    const results: Posting[] = [];
    if (r.payerAccount !== null) results.push(await this.undoDebit(r));
    if (r.payeeAccount !== null) {
      results.push(await this.send(accountActorOf(r.payeeAccount, r.currency), { type: 'DebitLedger', messageId: `settlement:${r.instructionId}:credit-reversal`, ...common, reservationId: null, backingHeadroom: null }));
    }
    return results.find((p) => !p.ok) ?? { ok: true, actors: [] };
  }

  private undoDebit(r: InstructionRow): Promise<Posting> {
    return this.send(accountActorOf(r.payerAccount!, r.currency), {
      type: 'CreditLedger', messageId: `settlement:${r.instructionId}:debit-reversal`, currency: r.currency, amount: r.amount, reference: `reversal of settlement ${r.instructionId}`,
    });
  }

  private async send(actor: string, command: AccountCommand): Promise<Posting> {
    let last: AccountOutcome | undefined;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      last = await this.accounts.send(actor, command);
      if (last.status === 'appended' || last.status === 'duplicate') return { ok: true, actors: [actor] };
      if (last.status === 'rejected') {
        if (last.rejection.code === 'DUPLICATE') return { ok: true, actors: [actor] };
        if (last.rejection.code === 'ACCOUNT_NOT_OPEN') return { ok: true, actors: [] };
        return { ok: false, final: true, reason: `${command.type} ${actor}: ${last.rejection.code}: ${last.rejection.message}` };
      }
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
    return { ok: false, final: false, reason: `${command.type} ${actor}: busy (${JSON.stringify(last)})` };
  }
}

/**
 * Runs work holding every named key, in arrival order per key. All keys are taken at once (the
 * waiting is on the previous holders of each), so two works sharing keys can never deadlock.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const previous = unique.map((k) => this.tails.get(k));
    let release!: () => void;
    const done = new Promise<void>((resolve) => { release = resolve; });
    for (const k of unique) this.tails.set(k, done);
    await Promise.all(previous);
    try {
      return await work();
    } finally {
      release();
      for (const k of unique) if (this.tails.get(k) === done) this.tails.delete(k);
    }
  }
}
