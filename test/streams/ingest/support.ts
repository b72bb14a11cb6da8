// Pieces shared by the ingestion tests: an in-memory Delivery and Source with the real settle
// contract (settleOnce), account openings, and the independent bank balance of a set of entries.

import BigNumber from 'bignumber.js';
import { createHash } from 'node:crypto';
import type { Accounts } from '../../../actors/account/actor.ts';
import { accountActorId, type AccountRef } from '../../../actors/account/model.ts';
import { settleOnce, type Delivery, type Outcome, type Source } from '../../../streams/source.ts';
import type { TestReport } from './camt.ts';

export interface TestDelivery extends Delivery {
  /** Every outcome it was settled with (one per delivery object; a redelivery is a new object). */
  readonly outcomes: Outcome[];
}

export function delivery(data: string | Uint8Array, deliveryCount = 1): TestDelivery {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const id = createHash('sha256').update(bytes).digest('hex');
  const outcomes: Outcome[] = [];
  return {
    id,
    source: `memory:${id.slice(0, 8)}`,
    subject: '',
    headers: new Map(),
    data: bytes,
    receivedAt: new Date(),
    deliveryCount,
    redelivered: deliveryCount > 1,
    outcomes,
    settle: settleOnce(id, () => {}, async (o) => void outcomes.push(o)),
  };
}

/** A Source over a fixed list, for `ingest()`. */
export function listSource(deliveries: readonly Delivery[]): Source {
  return {
    name: 'memory',
    maxUnsettled: deliveries.length,
    unsettled: 0,
    close: async () => {},
    async *[Symbol.asyncIterator]() {
      yield* deliveries;
    },
  };
}

export const ref = (iban: string, currency: string): AccountRef => ({ scheme: 'IBAN', id: iban, currency });

export async function open(accounts: Accounts, r: AccountRef, bank = '0'): Promise<void> {
  const outcome = await accounts.send(accountActorId(r), {
    type: 'OpenAccount', messageId: `open/${r.id}/${r.currency}`, ref: r, accountType: 'settlement',
    ledger: new BigNumber(0), bank: new BigNumber(bank),
  });
  if (outcome.status !== 'appended' && outcome.status !== 'duplicate') throw new Error(`open ${r.id}: ${JSON.stringify(outcome)}`);
}

/** Σ booked entries per account actor id, signed by direction only: computed without deltran. */
export function expectedBank(reports: readonly TestReport[], openings: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  const sums = new Map<string, BigNumber>();
  for (const [actor, bank] of openings) sums.set(actor, new BigNumber(bank));
  for (const r of reports) {
    for (const e of r.entries) {
      if ((e.status ?? 'BOOK') !== 'BOOK') continue;
      const actor = accountActorId(ref(r.iban, e.currency));
      const signed = new BigNumber(e.amount).times(e.direction === 'CRDT' ? 1 : -1);
      sums.set(actor, (sums.get(actor) ?? new BigNumber(0)).plus(signed));
    }
  }
  return new Map([...sums].map(([k, v]) => [k, v.toFixed()]));
}

export function bankOf(accounts: Accounts, actors: Iterable<string>): Map<string, string> {
  return new Map([...actors].map((a) => {
    const s = accounts.state(a)?.state;
    return [a, s?.status === 'open' ? s.bank.toFixed() : 'unopened'];
  }));
}
