// Pieces shared by the settlement tests: participants with settlement accounts at a mock bank, the
// bank's camt.054 turned into the account events deltran journals (what the accounts' onApplied
// hook hands the settler), and instruction plans.

import BigNumber from 'bignumber.js';
import { bankEntryCommand } from '../../../actors/account/bank-entry.ts';
import type { AccountEvent } from '../../../actors/account/events.ts';
import type { InstructionPlan } from '../../../actors/clearing/ports.ts';
import type { BankNotification } from '../../../adapters/bank/client.ts';
import type { MockBank } from '../../../adapters/bank/mock-bank.ts';
import type { Queryable } from '../../../adapters/db/database.ts';
import type { ReportMessage } from '../../../streams/iso20022/model.ts';
import { readBuffer } from '../../../streams/iso20022/reader.ts';

export const bn = (s: string | number): BigNumber => new BigNumber(s);

export const PARTICIPANTS = [
  { bic: 'ALPHAEADXXX', account: 'ALPHA-SETTLE-1' },
  { bic: 'BRAVGB2LXXX', account: 'GB29NWBK60161331926819' },
  { bic: 'CHARLIE1XXX', account: 'mock:CHARLIE-SETTLE' },
  { bic: 'DELTAUS3XXX', account: 'DELTA SETTLE 4' },
] as const;

export async function registerParticipants(db: Queryable, list: readonly { readonly bic: string; readonly account: string | null }[] = PARTICIPANTS): Promise<void> {
  for (const p of list) {
    await db.query("INSERT INTO participants (bic, name, country, settlement_account) VALUES ($1, $2, 'AE', $3)", [p.bic, `Bank ${p.bic.slice(0, 5)}`, p.account]);
  }
}

/** Opens each participant's settlement account at the bank in `currency`, with `opening`. */
export function openAccounts(bank: MockBank, currency: string, opening: string): void {
  const ids: Record<string, { iban: string } | { other: { id: string } }> = {
    ALPHAEADXXX: { other: { id: 'ALPHA-SETTLE-1' } },
    BRAVGB2LXXX: { iban: 'GB29NWBK60161331926819' },
    CHARLIE1XXX: { other: { id: 'CHARLIE-SETTLE' } },
    DELTAUS3XXX: { other: { id: 'DELTA SETTLE 4' } },
  };
  for (const id of Object.values(ids)) {
    const r = bank.openAccount({ ...id, currency }, { opening: bn(opening) });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
  }
}

/** The account events one camt.054 becomes in deltran (BankEntryBooked per booked entry). */
export function bookedEvents(n: BankNotification): { actorId: string; events: AccountEvent[] }[] {
  const out: { actorId: string; events: AccountEvent[] }[] = [];
  for (const r of readBuffer(n.xml)) {
    const m = r.message as ReportMessage;
    for (const report of m.reports) {
      const id = report.account.iban ?? report.account.other?.id ?? '';
      for (const entry of report.entries) {
        const made = bankEntryCommand(entry, `${m.header.messageId}/${entry.index}`);
        if ('rejection' in made) throw new Error(made.rejection.message);
        out.push({
          actorId: `account:${id}:${made.command.currency}`,
          events: [{ type: 'BankEntryBooked', messageId: made.command.messageId, entry: made.command.entry, bankMoved: true, check: null }],
        });
      }
    }
  }
  return out;
}

/** Every camt.054 of the bank into the hook, as the account actors would call it (no dedupe: duplicates too). */
export function feed(bank: MockBank, hook: (actorId: string, seq: number, events: readonly AccountEvent[]) => void): { count: number; stop: () => void } {
  const state = { count: 0, stop: () => {} };
  let seq = 0;
  state.stop = bank.subscribe((n) => {
    state.count++;
    for (const b of bookedEvents(n)) hook(b.actorId, ++seq, b.events);
  });
  return state;
}

export function plans(windowId: string, legs: readonly [string, string, string][], currency = 'USD'): InstructionPlan[] {
  return legs.map(([from, to, amount], i) => ({ id: `${windowId}-${currency}-${i + 1}`, windowId, from, to, currency, amount: bn(amount) }));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
