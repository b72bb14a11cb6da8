// Goal: the balance index keeps the same four figures as the account actor (ledger, bank, level,
// breaker) over random histories, so tier 2 may compare from it instead of loading every actor;
// an event at or below the seq it already holds is not counted twice.
// Method: fast-check histories of commands through the pure decide/evolve, every accepted event
// also fed to the index; figures compared after each step.

import test from 'ava';
import fc from 'fast-check';
import type { AccountCommand } from '../../../actors/account/commands.ts';
import { decideAccount } from '../../../actors/account/decide.ts';
import type { AccountEvent } from '../../../actors/account/events.ts';
import { evolveAccount } from '../../../actors/account/evolve.ts';
import { initialAccount, type AccountState } from '../../../actors/account/model.ts';
import { BalanceIndex } from '../../../actors/reconciliation/balance-index.ts';
import { d } from '../helpers.ts';

const REF = { scheme: 'IBAN' as const, id: 'AE070331234567890123456', currency: 'AED' };
const ACTOR = 'account:AE070331234567890123456:AED';

const amount = fc.integer({ min: 1, max: 2_000_000 }).map((c) => d((c / 100).toFixed(2)));
const command = fc.oneof(
  fc.record({ kind: fc.constant('book' as const), a: amount, dir: fc.constantFrom('CRDT' as const, 'DBIT' as const) }),
  fc.record({ kind: fc.constant('credit' as const), a: amount }),
  fc.record({ kind: fc.constant('debit' as const), a: amount }),
  fc.record({ kind: fc.constant('observe' as const), a: amount }),
  fc.record({ kind: fc.constant('set' as const), a: amount }),
  fc.record({ kind: fc.constant('reset' as const) }),
);

test('the index holds the actor’s ledger, bank, level and breaker over random histories', (t) => {
  fc.assert(fc.property(fc.array(command, { maxLength: 40 }), (cmds) => {
    const index = new BalanceIndex();
    let state: AccountState = initialAccount();
    let seq = 0;
    const apply = (c: AccountCommand) => {
      const decision = decideAccount(state, c);
      if ('rejection' in decision || decision.events.length === 0) return;
      const events: readonly AccountEvent[] = decision.events;
      state = events.reduce(evolveAccount, state);
      seq += events.length;
      index.observe(ACTOR, seq, events);
      // The same events again (a replayed hook): no change.
      index.observe(ACTOR, seq, events);
    };
    apply({ type: 'OpenAccount', messageId: 'open', ref: REF, accountType: 'client_funds', ledger: d('100000.00'), bank: d('100000.00') });
    cmds.forEach((c, i) => {
      const messageId = `m${i}`;
      switch (c.kind) {
        case 'book': return apply({ type: 'RecordBankEntry', messageId, currency: 'AED', status: 'BOOK', entry: { key: messageId, amount: c.a, direction: c.dir, reversal: false, endToEndId: null, uetr: null, accountServicerReference: null, bookingDate: null } });
        case 'credit': return apply({ type: 'CreditLedger', messageId, currency: 'AED', amount: c.a, reference: 'r' });
        case 'debit': return apply({ type: 'DebitLedger', messageId, currency: 'AED', amount: c.a, reservationId: null, reference: 'r', backingHeadroom: d('1e12') });
        case 'observe': return apply({ type: 'ObserveBankBalance', messageId, currency: 'AED', balance: c.a, asOf: '2026-01-01T00:00:00Z' });
        case 'set': return apply({ type: 'SetBankBalance', messageId, currency: 'AED', balance: c.a, asOf: '2026-01-01' });
        case 'reset': return apply({ type: 'ResetBreaker', messageId, reason: 'ok' });
      }
    });
    const f = index.get(ACTOR)!;
    if (state.status !== 'open') return false;
    t.true(f.ledger.eq(state.ledger) && f.bank.eq(state.bank));
    t.is(f.status, state.reconciliation);
    t.is(f.breakerOpen, state.breaker.open);
    t.is(f.seq, seq);
    return f.ledger.eq(state.ledger) && f.bank.eq(state.bank) && f.status === state.reconciliation && f.breakerOpen === state.breaker.open;
  }), { numRuns: 200 });
});
