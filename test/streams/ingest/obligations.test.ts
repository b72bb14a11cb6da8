// Goal: pacs.008 / pacs.009 / pain.001 become exactly the obligations their transactions say
// (payer, payee, currency, exact amount, identity, the origin a pacs.002 quotes), real samples from
// CBPR+, Fedwire and banks; what cannot be mapped is a rejection value with a field path. Then the
// pipeline's clearing branch: obligations are acknowledged only once the intake's accept()
// resolved (a failing or pending accept() never acks), verdicts and rejections go to the status
// reports, and without an intake those messages stay 'unrouted' as before.

import test from 'ava';
import BigNumber from 'bignumber.js';
import { readFileSync } from 'node:fs';
import type { ObligationInput, ObligationIntake, ObligationVerdict, StatusReports } from '../../../actors/clearing/ports.ts';
import type { CreditTransferMessage } from '../../../streams/iso20022/model.ts';
import { readBuffer, type ReadResult } from '../../../streams/iso20022/reader.ts';
import { obligationsOf } from '../../../streams/ingest/obligations.ts';
import { ingestDelivery, type IngestOptions } from '../../../streams/ingest/pipeline.ts';
import { sample } from '../../helpers/shared.ts';
import { delivery } from './support.ts';

const readSample = (path: string): ReadResult => {
  const [r] = readBuffer(readFileSync(sample(path)));
  return r!;
};
const brief = (o: ObligationInput) => ({ id: o.id, payer: o.payer, payee: o.payee, currency: o.currency, amount: o.amount.toFixed() });

test('CBPR+ pacs.008: one obligation, UETR identity, exact amount, origin for the pacs.002', (t) => {
  const m = obligationsOf(readSample('pacs.008/cbpr-pacs008-v08-c10511-AtoB.xml'))!;
  t.deepEqual(m.rejections, []);
  t.deepEqual(m.obligations.map(brief), [{ id: '7a562c67-ca16-48ba-b074-65581be6f001', payer: 'CBRLGB2LXXX', payee: 'DEUTDEFFXXX', currency: 'GBP', amount: '2450' }]);
  t.deepEqual(m.obligations[0]!.origin, {
    messageId: 'pacs008bzmsgid-1', messageType: 'pacs.008.001.08', sender: 'CBRLGB2LXXX', instructionId: 'pacs008bzmsgid-1',
    endToEndId: 'pacs008EndToEndId-001', uetr: '7a562c67-ca16-48ba-b074-65581be6f001',
  });
});

test('pacs.008 amounts are exact decimals (Fedwire, CBPR+ RON, HVPS v12)', (t) => {
  const amounts = (p: string) => obligationsOf(readSample(p))!.obligations.map((o) => `${o.amount.toFixed()} ${o.currency}`);
  t.deepEqual(amounts('pacs.008/fedwire-pacs008-v08-scenario5-step1.xml'), ['510000.74 USD']);
  t.deepEqual(amounts('pacs.008/fedwire-pacs008-v08-variation5-fx-charges.xml'), ['1009858.99 USD']);
  t.deepEqual(amounts('pacs.008/cbpr-pacs008-v08-c10621a-prefixed-AtoB.xml'), ['65784.32 RON']);
  t.deepEqual(amounts('pacs.008/hvps-pacs008-v12-c2911-BtoC.xml'), ['591636 RON']);
  // Each equals the document's own IntrBkSttlmAmt, digit for digit.
  const r = readSample('pacs.008/fedwire-pacs008-v08-scenario5-step1.xml');
  t.is((r.message as CreditTransferMessage).transfers[0]!.amount!.lexical, '510000.74');
});

test('pacs.009: payer and payee are the agents, else the institutions themselves', (t) => {
  const cbpr = obligationsOf(readSample('other/cbpr-pacs009-v08-c10621a-prefixed.xml'))!;
  t.deepEqual(cbpr.obligations.map(brief), [{ id: '7a562c67-ca16-48ba-b074-65581be6f002', payer: 'INGBROBUXXX', payee: 'RZBRROBUXXX', currency: 'RON', amount: '15' }]);
  t.is(cbpr.obligations[0]!.origin!.messageType, 'pacs.009.001.08');
  // Without DbtrAgt/CdtrAgt the debtor and creditor institutions are the participants.
  const r = readSample('other/cbpr-pacs009-v08-c10621a-prefixed.xml');
  const m = r.message as CreditTransferMessage;
  const own = obligationsOf({ ...r, message: { ...m, transfers: [{ ...m.transfers[0]!, debtorAgent: undefined, creditorAgent: undefined }] } as unknown as CreditTransferMessage })!;
  t.deepEqual([own.obligations[0]!.payer, own.obligations[0]!.payee], [m.transfers[0]!.debtor!.bic, m.transfers[0]!.creditor!.bic]);
  t.truthy(m.transfers[0]!.debtor!.bic);
  const cover = obligationsOf(readSample('other/fedwire-pacs009-v08-cover.xml'))!;
  t.deepEqual(cover.obligations.map(brief), [{ id: '8a562c67-ca16-48ba-b074-65581be6f055', payer: 'BANCUS33', payee: 'BANDUS33', currency: 'USD', amount: '179852.25' }]);
});

test('without a UETR the identity is EndToEndId@instructing agent; the sender is the AppHdr From', (t) => {
  const m = obligationsOf(readSample('pacs.008/prowide-pacs008-v07-with-bah.xml'))!;
  t.is(m.obligations[0]!.id, '223423423@CITTGB2LPBG');
  t.is(m.obligations[0]!.origin!.sender, 'MLCOUS33XXX');
  t.is(m.obligations[0]!.amount.toFixed(), '5000');
});

test('pain.001 clears through the initiating participant: one obligation per transaction at InstdAmt', (t) => {
  const m = obligationsOf(readSample('pain.001/iso-pain001-v03-business-example.xml'))!;
  t.deepEqual(m.rejections, []);
  t.deepEqual(m.obligations.map(brief), [
    { id: 'ABC/4562/2009-09-08@BBBBUS33', payer: 'BBBBUS33', payee: 'AAAAGB2L', currency: 'JPY', amount: '10000000' },
    { id: 'ABC/ABC-13679/2009-09-15@BBBBUS33', payer: 'BBBBUS33', payee: 'DDDDBEBB', currency: 'EUR', amount: '500000' },
    { id: 'ABC/987-AC/2009-09-27@BBBBUS33', payer: 'BBBBUS33', payee: 'BBBBUS66', currency: 'USD', amount: '1000000' },
  ]);
  t.is(m.obligations[0]!.origin!.messageType, 'pain.001.001.03');
  // A Swiss-profile namespace is quoted in its ISO form.
  const six = obligationsOf(readSample('pain.001/sepaking-pain001-v03ch02.xml'))!;
  t.is(six.obligations[0]!.origin!.messageType, 'pain.001.001.03');
  t.deepEqual(six.obligations.map(brief), [{ id: 'ENDTOENDID-003@RAIFCH22', payer: 'RAIFCH22', payee: 'DEUTDEFF', currency: 'EUR', amount: '3421' }]);
  t.deepEqual(six.rejections.map((r) => [r.verdict.code, r.verdict.field]), [
    ['INVALID', 'PmtInf[0]/CdtTrfTxInf[0]/CdtrAgt/FinInstnId/BICFI'], ['INVALID', 'PmtInf[1]/CdtTrfTxInf[0]/CdtrAgt/FinInstnId/BICFI'],
  ]);
});

test('what cannot be mapped is a rejection per transaction, with the field path and the origin kept', (t) => {
  const fedwire = obligationsOf(readSample('pacs.008/fedwire-pacs008-v08-scenario1-step1.xml'))!;
  t.deepEqual(fedwire.obligations, []);
  const v = fedwire.rejections[0]!.verdict;
  t.deepEqual([v.status, v.code, v.field], ['REJECTED', 'INVALID', 'CdtTrfTxInf[0]/DbtrAgt/FinInstnId/BICFI']);
  t.regex(v.message, /clearing member id/);
  t.is(fedwire.rejections[0]!.obligation.origin!.messageId, '20250310B1QDRCQR000001');

  const r = readSample('pacs.008/cbpr-pacs008-v08-c10511-AtoB.xml');
  const m = r.message as CreditTransferMessage;
  const t0 = m.transfers[0]!;
  const edited = (transfers: unknown[]): ReadResult => ({ ...r, message: { ...m, transfers } as CreditTransferMessage });
  const noAmount = obligationsOf(edited([{ ...t0, amount: undefined }]))!;
  t.deepEqual(noAmount.rejections.map((x) => [x.verdict.code, x.verdict.field]), [['AMOUNT_INVALID', 'CdtTrfTxInf[0]/IntrBkSttlmAmt']]);
  const zero = obligationsOf(edited([{ ...t0, amount: { ...t0.amount!, value: new BigNumber(0) } }]))!;
  t.is(zero.rejections[0]!.verdict.code, 'AMOUNT_INVALID');
  const noCreditor = obligationsOf(edited([{ ...t0, creditorAgent: undefined }, { ...t0, index: 1 }]))!;
  t.deepEqual(noCreditor.rejections.map((x) => x.verdict.field), ['CdtTrfTxInf[0]/CdtrAgt/FinInstnId/BICFI']);
  t.is(noCreditor.obligations.length, 1, 'the other transaction goes on');
  // Not a clearing message.
  t.is(obligationsOf({ ...r, type: 'camt.054' }), null);
});

// ---- the pipeline's clearing branch --------------------------------------------------------------

const PACS008 = readFileSync(sample('pacs.008/cbpr-pacs008-v08-c10511-AtoB.xml'));
const NO_BIC = readFileSync(sample('pacs.008/fedwire-pacs008-v08-scenario1-step1.xml'));

function recorder() {
  const calls: { kind: string; ids: string[]; detail: string }[] = [];
  const reports: StatusReports = {
    accepted: async (o, w) => void calls.push({ kind: 'accepted', ids: o.map((x) => x.id), detail: w }),
    rejected: async (r) => void calls.push({ kind: 'rejected', ids: r.map((x) => x.obligation.id), detail: r.map((x) => x.verdict.code).join() }),
    settled: async () => {},
    failed: async () => {},
  };
  return { calls, reports };
}

function options(intake: ObligationIntake | undefined, reports?: StatusReports): IngestOptions {
  return {
    accounts: { send: async () => { throw new Error('no account may be touched'); } },
    deadLetters: { record: async () => { throw new Error('no dead letter expected'); } },
    nakDelayMs: 10,
    obligations: intake,
    statusReports: reports,
  };
}

test('pipeline: pacs.008 → intake; acknowledged only after accept() resolved; ACCP reported', async (t) => {
  let release!: (v: ObligationVerdict[]) => void;
  const seen: ObligationInput[][] = [];
  const intake: ObligationIntake = { accept: (batch) => (seen.push([...batch]), new Promise((r) => (release = r))) };
  const { calls, reports } = recorder();
  const d = delivery(PACS008);
  const running = ingestDelivery(d, options(intake, reports));
  await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(d.outcomes, [], 'nothing settled while accept() is pending');
  t.is(seen[0]![0]!.amount.toFixed(), '2450');
  release([{ id: seen[0]![0]!.id, status: 'ACCEPTED', windowId: 'W20261201T0600Z' }]);
  const report = await running;
  t.deepEqual(d.outcomes, ['ack']);
  t.is(report.verdict, 'applied');
  t.deepEqual(report.entries, { appended: 1, duplicate: 0, rejected: 0, retry: 0 });
  t.deepEqual(report.messages.map((m) => m.routed), [true]);
  t.deepEqual(calls, [{ kind: 'accepted', ids: ['7a562c67-ca16-48ba-b074-65581be6f001'], detail: 'W20261201T0600Z' }]);
});

test('pipeline: a failing accept() naks (never acks) and reports nothing', async (t) => {
  const { calls, reports } = recorder();
  const d = delivery(PACS008);
  const report = await ingestDelivery(d, options({ accept: async () => { throw new Error('journal down'); } }, reports));
  t.is(report.verdict, 'retry');
  t.deepEqual(report.codes, ['OBLIGATION_INTAKE_FAILED']);
  t.deepEqual(d.outcomes, [{ nak: 10 }]);
  t.deepEqual(calls, []);
});

test('pipeline: a failing status report naks too (the pacs.002 must be durable before the ack)', async (t) => {
  const { reports } = recorder();
  const d = delivery(PACS008);
  const report = await ingestDelivery(d, options(
    { accept: async (b) => b.map((o) => ({ id: o.id, status: 'ACCEPTED' as const, windowId: 'W1' })) },
    { ...reports, accepted: async () => { throw new Error('outbox down'); } },
  ));
  t.deepEqual(report.codes, ['STATUS_REPORT_FAILED']);
  t.deepEqual(d.outcomes, [{ nak: 10 }]);
});

test('pipeline: intake rejections and mapping rejections go to the status reports; acknowledged', async (t) => {
  const { calls, reports } = recorder();
  const rejecting: ObligationIntake = { accept: async (b) => b.map((o) => ({ id: o.id, status: 'REJECTED' as const, code: 'PARTICIPANT_UNKNOWN' as const, field: 'payer', message: `${o.payer} is not registered` })) };
  const d1 = delivery(PACS008);
  const r1 = await ingestDelivery(d1, options(rejecting, reports));
  t.deepEqual(d1.outcomes, ['ack']);
  t.deepEqual(r1.rejections.map((r) => [r.code, r.path]), [['PARTICIPANT_UNKNOWN', 'payer']]);
  let called = 0;
  const d2 = delivery(NO_BIC);
  const r2 = await ingestDelivery(d2, options({ accept: async () => (called++, []) }, reports));
  t.deepEqual(d2.outcomes, ['ack']);
  t.is(called, 0, 'nothing mappable: the intake is not asked');
  t.deepEqual(r2.rejections.map((r) => r.code), ['INVALID']);
  t.deepEqual(calls.map((c) => [c.kind, c.detail]), [['rejected', 'PARTICIPANT_UNKNOWN'], ['rejected', 'INVALID']]);
  // A duplicate of what the intake holds is acknowledged as a duplicate.
  const d3 = delivery(PACS008);
  const r3 = await ingestDelivery(d3, options({ accept: async (b) => b.map((o) => ({ id: o.id, status: 'REJECTED' as const, code: 'DUPLICATE' as const, field: 'id', message: 'known' })) }));
  t.is(r3.verdict, 'duplicate');
  t.deepEqual(d3.outcomes, ['ack']);
});

test('pipeline: without an intake pacs.008 stays unrouted, as before', async (t) => {
  const d = delivery(PACS008);
  const report = await ingestDelivery(d, options(undefined));
  t.is(report.verdict, 'unrouted');
  t.deepEqual(d.outcomes, ['ack']);
  t.deepEqual(report.messages.map((m) => m.routed), [false]);
});

test('pipeline: a delivery holding a pacs.008 and a camt.054 reports both parts (regression: the obligation part was dropped from the report)', async (t) => {
  const text = PACS008.toString('utf8');
  const pacs = text.slice(text.indexOf('<pacs:Document'), text.indexOf('</pacs:Document>') + '</pacs:Document>'.length);
  const camt = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>MIX-1</MsgId><CreDtTm>2024-01-02T10:00:00</CreDtTm></GrpHdr><Ntfctn><Id>MIX-1-1</Id><CreDtTm>2024-01-02T10:00:00</CreDtTm><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct><Ntry><Amt Ccy="EUR">12.30</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt><ValDt><Dt>2024-01-02</Dt></ValDt><AcctSvcrRef>MIXREF</AcctSvcrRef><BkTxCd><Prtry><Cd>TEST</Cd></Prtry></BkTxCd></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Batch>${pacs}${camt}</Batch>`;
  const { calls, reports } = recorder();
  const sent: string[] = [];
  const letters: unknown[] = [];
  const report = await ingestDelivery(delivery(xml), {
    ...options({ accept: async (b) => b.map((o) => ({ id: o.id, status: 'REJECTED' as const, code: 'PARTICIPANT_UNKNOWN' as const, field: 'payer', message: `${o.payer} is not registered` })) }, reports),
    accounts: { send: async (id, c) => (sent.push(`${id} ${c.messageId}`), { status: 'appended', seq: 1, events: [] } as never) },
    deadLetters: { record: async (l) => (letters.push(l), 'dl-1') },
  });
  t.is(report.verdict, 'applied');
  t.deepEqual(report.messages.map((m) => [m.type, m.routed]), [['pacs.008', true], ['camt.054', true]]);
  // The camt.054 entry booked, the obligation refused: both in one report.
  t.is(sent.length, 1);
  t.deepEqual(report.entries, { appended: 1, duplicate: 0, rejected: 1, retry: 0 });
  t.deepEqual(report.rejections.map((r) => [r.code, r.path]), [['PARTICIPANT_UNKNOWN', 'payer']]);
  t.deepEqual(report.codes, ['PARTICIPANT_UNKNOWN']);
  // Its sender was told by pacs.002 RJCT; it is not dead-lettered with the entries.
  t.deepEqual(calls.map((c) => [c.kind, c.detail]), [['rejected', 'PARTICIPANT_UNKNOWN']]);
  t.deepEqual(letters, []);
});
