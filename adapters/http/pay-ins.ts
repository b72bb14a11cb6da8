// Expected pay-ins: an EMI tells deltran that fiat is on its way to one of its client_funds
// accounts for a participant, with the reference the payer will quote (EndToEndId or UETR). When
// the bank books a credit carrying that reference (camt.054, camt.053), the account matches it
// and the token ledger mints exactly that amount to the participant, once (actors/tokens).
// Without an expectation a booked credit moves the bank balance and mints nothing.
//
// The message identity is derived from the pay-in id, so a retried POST is a duplicate, never a
// second expectation; a reference already claimed by another pending pay-in is refused.

import BigNumber from 'bignumber.js';
import type { FastifyInstance } from 'fastify';
import type { Accounts } from '../../actors/account/actor.ts';
import { formatAmount } from '../../streams/iso20022/money.ts';
import type { Database } from '../db/database.ts';
import { actorIdOf, directoryRow, live, refused, UUID } from './accounts.ts';
import { fail, ok } from './envelope.ts';
import { normalBic, unknownParticipants } from './participants.ts';

const ID = /^[\x21-\x7e]{1,64}$/;
const REFERENCE = /^[\x20-\x7e]{1,35}$/;
const UETR = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const DECIMAL = /^\d{1,18}(\.\d{1,5})?$/;

export function payInRoutes(app: FastifyInstance, deps: { readonly accounts: Accounts; readonly db: Database }): void {
  app.post<{ Params: { id: string } }>('/api/v1/accounts/:id/expected-pay-ins', async (req, reply) => {
    const row = UUID.test(req.params.id) ? await directoryRow(deps.db, req.params.id) : null;
    if (row === null) return fail(reply, 404, 'ACCOUNT_UNKNOWN', `no account ${req.params.id}`);
    const b = (typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? req.body : {}) as Record<string, unknown>;
    const payInId = b['pay_in_id'];
    if (typeof payInId !== 'string' || !ID.test(payInId)) return fail(reply, 400, 'VALIDATION_FAILED', 'pay_in_id must be 1 to 64 printable characters', 'pay_in_id');
    const participant = normalBic(b['participant']);
    if (participant === null || !/^[A-Z0-9]{8}([A-Z0-9]{3})?$/.test(participant)) return fail(reply, 400, 'VALIDATION_FAILED', 'participant must be a BIC (8 or 11 characters)', 'participant');
    const amount = b['amount'];
    if (typeof amount !== 'string' || !DECIMAL.test(amount)) return fail(reply, 400, 'VALIDATION_FAILED', 'amount must be a decimal string, e.g. "50000.00"', 'amount');
    const endToEndId = b['end_to_end_id'] ?? null;
    if (endToEndId !== null && (typeof endToEndId !== 'string' || !REFERENCE.test(endToEndId))) return fail(reply, 400, 'VALIDATION_FAILED', 'end_to_end_id must be 1 to 35 characters', 'end_to_end_id');
    const uetr = b['uetr'] ?? null;
    if (uetr !== null && (typeof uetr !== 'string' || !UETR.test(uetr))) return fail(reply, 400, 'VALIDATION_FAILED', 'uetr must be a UUID version 4', 'uetr');
    if ((await unknownParticipants(deps.db, [participant])).length > 0) {
      return fail(reply, 422, 'PARTICIPANT_UNKNOWN', `${participant} is not a registered participant`, 'participant');
    }
    const currency = row.currency.trim();
    const outcome = await deps.accounts.send(actorIdOf(row), {
      type: 'ExpectPayIn', messageId: `http:payin:${payInId}`, payInId, participant, currency,
      amount: new BigNumber(amount), endToEndId: endToEndId as string | null, uetr: uetr as string | null,
    });
    if (outcome.status !== 'appended' && outcome.status !== 'duplicate') return refused(reply, outcome);
    return reply.code(outcome.status === 'appended' ? 201 : 200).send(ok({
      pay_in_id: payInId, account_id: row.id, participant, currency, amount: formatAmount(new BigNumber(amount), currency),
      end_to_end_id: endToEndId, uetr, status: outcome.status === 'appended' ? 'expected' : 'duplicate',
    }));
  });

  app.get<{ Params: { id: string } }>('/api/v1/accounts/:id/expected-pay-ins', async (req, reply) => {
    const row = UUID.test(req.params.id) ? await directoryRow(deps.db, req.params.id) : null;
    if (row === null) return fail(reply, 404, 'ACCOUNT_UNKNOWN', `no account ${req.params.id}`);
    const state = (await live(deps.accounts, actorIdOf(row)))?.state;
    const currency = row.currency.trim();
    const pending = state === undefined || state === null || state.status !== 'open' ? [] : [...state.expected.values()];
    return ok(pending.map((p) => ({
      pay_in_id: p.payInId, participant: p.participant, amount: formatAmount(p.amount, currency), end_to_end_id: p.endToEndId, uetr: p.uetr,
    })));
  });
}
