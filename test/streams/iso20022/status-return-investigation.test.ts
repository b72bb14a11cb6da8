// The answers to a payment: pacs.002 / pain.002 statuses, pacs.004 returns, camt.056 cancellation
// requests and camt.029 resolutions. Every sample of these types in the shared corpus is read and
// compared with values copied by hand from the files; small inline documents pin the version-table
// entries (OrgnlUETR and pacs.002's per-transaction OrgnlGrpInf) that no sample exercises.

import test from 'ava';
import type { Amount, InvestigationMessage, ReturnMessage, StatusReportMessage } from '../../../streams/iso20022/model.ts';
import { readBuffer, readFile, type ReadResult } from '../../../streams/iso20022/reader.ts';
import { sample } from '../../helpers/shared.ts';

async function read(file: string): Promise<ReadResult> {
  const results = await readFile(sample(file));
  if (results.length !== 1) throw new Error(`${file}: ${results.length} results`);
  return results[0]!;
}

/** Currency, exact decimal and the element text, so a test sees both the value and its form. */
function money(a: Amount | undefined): string | undefined {
  return a === undefined ? undefined : `${a.currency} ${a.value.toFixed()} (${a.lexical})`;
}

function status(r: ReadResult): StatusReportMessage {
  if (r.message?.type !== 'pacs.002' && r.message?.type !== 'pain.002') throw new Error(`not a status report: ${r.type}`);
  return r.message;
}

function ret(r: ReadResult): ReturnMessage {
  if (r.message?.type !== 'pacs.004') throw new Error(`not a return: ${r.type}`);
  return r.message;
}

function investigation(r: ReadResult): InvestigationMessage {
  if (r.message?.type !== 'camt.056' && r.message?.type !== 'camt.029') throw new Error(`not an investigation: ${r.type}`);
  return r.message;
}

const codes = (r: ReadResult, code: string) => r.findings.filter((f) => f.code === code).map((f) => f.path);

// ---- pacs.002 -----------------------------------------------------------------------------------

test('fedwire pacs.002 RJCT: proprietary reason E433 with its text', async (t) => {
  const r = await read('other/fedwire-pacs002-v10-rjct-e433.xml');
  t.is(r.version, 'pacs.002.001.10');
  t.is(r.messageId, 'FDWA1B2C3D4E5F6G7H8I9J10K11L12M0');
  const m = status(r);
  t.deepEqual(m.originalGroups, []);
  t.is(m.groupStatus, undefined);
  t.is(m.transactionCount, 1);
  const tx = m.transactions[0]!;
  t.is(tx.status, 'RJCT');
  t.deepEqual(tx.reasons, [
    {
      proprietary: 'E433',
      additionalInfo: ['The routing number of the Instructed Agent is not permissible to receive Fedwire Funds transaction.'],
    },
  ]);
  t.is(tx.originalMessageId, '20250310B1QDRCQR000002');
  t.is(tx.originalMessageType, 'pacs.008.001.08');
  t.is(tx.originalUetr, '8a562c67-ca16-48ba-b074-65581be6f011');
  t.is(tx.originalEndToEndId, undefined);
  t.deepEqual(tx.instructingAgent, { clearingSystem: 'USABA', memberId: '021151080' });
  t.deepEqual(tx.instructedAgent, { clearingSystem: 'USABA', memberId: '011104238' });
  t.deepEqual(r.summary, { transactions: 1, statuses: { RJCT: 1 } });
  t.deepEqual(r.findings, []);
});

test('fedwire pacs.002 ACSC: settled, with acceptance time', async (t) => {
  const m = status(await read('other/fedwire-pacs002-v10-acsc.xml'));
  const tx = m.transactions[0]!;
  t.is(tx.status, 'ACSC');
  t.deepEqual(tx.reasons, []);
  t.is(tx.originalMessageId, '20250310B1QDRCQR000001');
  t.is(tx.originalUetr, '8a562c67-ca16-48ba-b074-65581be6f011');
  t.is(tx.acceptanceDateTime, '2025-03-10T09:00:02-04:00');
  t.is(m.header.messageId, '20250310QMGFNP31000001');
});

test('fednow pacs.002 ACTC behind a BAH', async (t) => {
  const r = await read('other/fednow-pacs002-v10-with-bah.xml');
  t.is(r.appHeader?.messageDefinitionId, 'pacs.002.001.10');
  const tx = status(r).transactions[0]!;
  t.is(tx.status, 'ACTC');
  t.is(tx.originalMessageId, '20230604222222222Sc01Step1MsgId');
  t.is(tx.originalInstructionId, 'Scenario01InstrId001');
  t.is(tx.originalEndToEndId, 'Scenario01EtoEId001');
  t.is(tx.originalUetr, '8a562c67-ca16-48ba-b074-65581be6f011');
  t.deepEqual(tx.instructedAgent, { clearingSystem: 'USABA', memberId: '222222222' });
});

test('CBPR+ pacs.002 answering a pacs.009', async (t) => {
  const r = await read('other/cbpr-pacs002-v10-c5641-CtoB.xml');
  t.is(r.messageId, 'pacs002bizmsgidr-001');
  const tx = status(r).transactions[0]!;
  t.like(tx, {
    index: 0,
    status: 'ACSC',
    originalMessageId: 'pacs9bizmsgidr02',
    originalMessageType: 'pacs.009.001.08',
    originalInstructionId: 'pacs9bizmsgidr02',
    originalEndToEndId: 'pacs9bizmsgidr01',
    originalUetr: '7a562c67-ca16-48ba-b074-65581be6f001',
  });
  t.deepEqual(tx.instructingAgent, { bic: 'TDOMCATT' });
  t.deepEqual(tx.instructedAgent, { bic: 'TDOMUS33' });
});

test('prowide pacs.002 v08: the original message is named once, at the root', async (t) => {
  const r = await read('invalid/prowide-pacs002-v08-invalid-element.xml');
  t.is(r.version, 'pacs.002.001.08');
  const m = status(r);
  t.is(m.originalMessageId, '20201007APPTMYKL22027908464');
  t.is(m.originalMessageType, 'pacs.003.001.08');
  t.is(m.groupStatus, undefined);
  const tx = m.transactions[0]!;
  t.is(tx.originalMessageId, undefined, 'the transaction carries no OrgnlGrpInf of its own');
  t.is(tx.originalEndToEndId, '20201007APPTMYKL220ORB27908464');
  t.is(tx.originalTransactionId, '20201007APPTMYKL220ORB27908464');
  t.is(tx.status, 'ACSP');
  t.deepEqual(tx.reasons, [{ proprietary: 'U000', additionalInfo: [] }]);
  t.is(tx.clearingSystemReference, '003');
  t.is(tx.originalUetr, undefined);
  t.is(tx.originalAmount, undefined, 'OrgnlTxRef holds only a settlement date');
  t.deepEqual(codes(r, 'VERSION_ELEMENT'), []);
});

test('pacs.002 without kept records still counts and summarizes them', (t) => {
  const xml = pacs002(10, '<TxInfAndSts><TxSts>RJCT</TxSts></TxInfAndSts><TxInfAndSts><TxSts>ACSC</TxSts></TxInfAndSts>');
  const paths: string[] = [];
  const [r] = readBuffer(xml, { keepRecords: false, onRecord: (e) => paths.push(e.path) });
  const m = status(r!);
  t.deepEqual(m.transactions, []);
  t.is(m.transactionCount, 2);
  t.deepEqual(r!.summary, { transactions: 2, statuses: { RJCT: 1, ACSC: 1 } });
  t.deepEqual(paths, ['TxInfAndSts[0]', 'TxInfAndSts[1]']);
});

test('pacs.002: group status, several original groups, and the amount of OrgnlTxRef', (t) => {
  const xml = pacs002(
    10,
    `<OrgnlGrpInfAndSts><OrgnlMsgId>A</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId><GrpSts>PART</GrpSts>
       <StsRsnInf><Rsn><Cd>AM05</Cd></Rsn><AddtlInf>one</AddtlInf><AddtlInf>two</AddtlInf></StsRsnInf></OrgnlGrpInfAndSts>
     <OrgnlGrpInfAndSts><OrgnlMsgId>B</OrgnlMsgId><OrgnlMsgNmId>pacs.009.001.08</OrgnlMsgNmId><GrpSts>ACCP</GrpSts></OrgnlGrpInfAndSts>
     <TxInfAndSts><StsId>S1</StsId><OrgnlTxId>T1</OrgnlTxId><TxSts>RJCT</TxSts>
       <OrgnlTxRef><IntrBkSttlmAmt Ccy="EUR">1000000000000.01</IntrBkSttlmAmt></OrgnlTxRef></TxInfAndSts>`,
  );
  const [r] = readBuffer(xml);
  const m = status(r!);
  t.is(m.originalMessageId, 'A');
  t.is(m.groupStatus, 'PART');
  t.deepEqual(m.groupReasons, [{ code: 'AM05', additionalInfo: ['one', 'two'] }]);
  t.deepEqual(
    m.originalGroups.map((g) => [g.messageId, g.messageType, g.status]),
    [
      ['A', 'pacs.008.001.08', 'PART'],
      ['B', 'pacs.009.001.08', 'ACCP'],
    ],
  );
  const tx = m.transactions[0]!;
  t.is(tx.statusId, 'S1');
  t.is(tx.originalTransactionId, 'T1');
  t.is(money(tx.originalAmount), 'EUR 1000000000000.01 (1000000000000.01)');
  t.deepEqual(r!.summary, { transactions: 1, statuses: { RJCT: 1 }, groupStatus: 'PART' });
});

// ---- pain.002 -----------------------------------------------------------------------------------

test('Goldman Sachs pain.002: accepted, with the instructed amount of the original', async (t) => {
  const r = await read('other/goldmansachs-pain002-v03-accepted.xml');
  const m = status(r);
  t.is(m.type, 'pain.002');
  t.is(m.originalMessageId, '10280093XXXX');
  t.is(m.originalMessageType, undefined, 'the file leaves out OrgnlMsgNmId');
  t.is(m.groupStatus, undefined);
  t.deepEqual(m.paymentStatuses, [{ originalPaymentInformationId: '3B-CCY', reasons: [] }]);
  t.is(m.transactionCount, 1);
  const tx = m.transactions[0]!;
  t.is(tx.originalEndToEndId, 'GSDGFKfLURaHb');
  t.is(tx.status, 'ACCP');
  t.deepEqual(tx.reasons, [{ code: 'NARR', additionalInfo: [] }]);
  t.is(money(tx.originalAmount), 'USD 10 (10.00)');
  t.is(tx.accountServicerReference, 'I200820000XXXXX');
  t.is(tx.originalPaymentInformationId, '3B-CCY');
  t.deepEqual(r.summary, { transactions: 1, statuses: { ACCP: 1 } });
});

test('Nordea pain.002: two rejected transactions under one rejected payment', async (t) => {
  const m = status(await read('other/nordea-pain002-v03-txn-reject.xml'));
  t.is(m.originalMessageId, 'MSGID-950-TEST2-2807-01');
  t.is(m.originalMessageType, 'pain.001.001.03');
  t.deepEqual(m.paymentStatuses, [{ originalPaymentInformationId: 'PMTINFID-950-TEST2-2807-01', status: 'RJCT', reasons: [] }]);
  const reason = { code: 'NARR', additionalInfo: ['CAP Invalid code or combinations in CategoryPurpose or ServiceLevel'] };
  t.deepEqual(
    m.transactions.map((x) => [x.index, x.originalInstructionId, x.originalEndToEndId, x.status, x.originalPaymentInformationId]),
    [
      [0, 'INSTRID-950-TEST2-2807-02', 'ENDTOENDID-950-TEST2-2807-02', 'RJCT', 'PMTINFID-950-TEST2-2807-01'],
      [1, 'INSTRID-950-TEST2-2807-01', 'ENDTOENDID-950-TEST2-2807-01', 'RJCT', 'PMTINFID-950-TEST2-2807-01'],
    ],
  );
  for (const x of m.transactions) t.deepEqual(x.reasons, [reason]);
});

test('SIX pain.002 .03.ch.02: partly accepted payment, one transaction rejected AC01', async (t) => {
  const r = await read('other/six-pain002-v03ch02-rjct-b-c-level.xml');
  t.is(r.version, 'pain.002.001.03.ch.02');
  const m = status(r);
  t.is(m.originalMessageId, 'MsgId-001');
  t.is(m.originalMessageType, 'pain.001.001.03.ch.02');
  t.deepEqual(m.paymentStatuses, [{ originalPaymentInformationId: 'PmtInfId-001-03', status: 'PART', reasons: [] }]);
  const tx = m.transactions[0]!;
  t.is(tx.originalInstructionId, 'InstrId-001-03-04');
  t.is(tx.originalEndToEndId, 'EndToEndId-001-03-04');
  t.is(tx.status, 'RJCT');
  t.deepEqual(tx.reasons, [{ code: 'AC01', additionalInfo: ['1301813;Konto ungültig'] }]);
  t.is(tx.originalAmount, undefined, 'OrgnlTxRef holds only dates');
});

test('SIX pain.002 .10: the rejection is at payment level only', async (t) => {
  const r = await read('other/six-pain002-v10-rjct-b-c-level.xml');
  const m = status(r);
  t.is(m.originalMessageId, 'MSG-02-QRR-SCOR');
  t.is(m.originalMessageType, 'pain.001.001.09.ch.03');
  t.deepEqual(m.paymentStatuses, [
    {
      originalPaymentInformationId: 'PMTINF-02',
      status: 'RJCT',
      reasons: [{ code: 'AC01', additionalInfo: ['0999;CH7280005000088877766 Lastkonto unbekannt'] }],
    },
  ]);
  t.deepEqual(m.transactions, []);
  t.is(m.transactionCount, 0);
  t.deepEqual(r.summary, { transactions: 0, statuses: {} });
});

// ---- pacs.004 -----------------------------------------------------------------------------------

test('fedwire pacs.004 FOCR: USD 446915.78 returned after a cancellation request', async (t) => {
  const r = await read('other/fedwire-pacs004-v10-return-focr.xml');
  t.is(r.messageId, '20250310B1QDRCQR000433');
  const m = ret(r);
  t.like(m.header, { numberOfTransactions: '1', settlementMethod: 'CLRG', clearingSystem: 'FDW' });
  t.is(m.transactionCount, 1);
  const tx = m.transactions[0]!;
  t.is(money(tx.returnedAmount), 'USD 446915.78 (446915.78)');
  t.is(money(tx.returnedInstructedAmount), 'USD 446915.78 (446915.78)');
  t.is(tx.originalAmount, undefined);
  t.deepEqual(tx.reason, { reasonCode: 'FOCR', additionalInfo: ['As per agreed resolution. Ref:20250310B1QDRCQR000400.'] });
  t.deepEqual(tx.reasons, [tx.reason]);
  t.like(tx, {
    originalMessageId: '20250310B1QDRCQR000400',
    originalMessageType: 'pacs.008.001.08',
    originalInstructionId: 'Scenario03InstrId001',
    originalEndToEndId: 'Scenario03EtoEId001',
    originalUetr: '8a562c67-ca16-48ba-b074-65581be6f011',
    interbankSettlementDate: '2025-03-10',
    chargeBearer: 'SHAR',
  });
  t.is(tx.returnId, undefined);
  t.deepEqual(tx.instructingAgent, { clearingSystem: 'USABA', memberId: '021040078' });
  t.deepEqual(tx.instructedAgent, { clearingSystem: 'USABA', memberId: '011104238' });
  t.deepEqual(r.summary, { transactions: 1, total: { USD: '446915.78' } });
});

test('fedwire pacs.004 DUPL: a duplicate sent back', async (t) => {
  const tx = ret(await read('other/fedwire-pacs004-v10-return-dupl.xml')).transactions[0]!;
  t.is(money(tx.returnedAmount), 'USD 151000.74 (151000.74)');
  t.deepEqual(tx.reason, { reasonCode: 'DUPL', additionalInfo: ['Payment deiplicate. Ref:20250310B1QDRCQR000902.'] });
  t.is(tx.originalMessageId, '20250310B1QDRCQR000902');
  t.is(tx.originalInstructionId, 'Scenario01InstrId001');
  t.is(tx.chargeBearer, 'SLEV');
});

test('CBPR+ pacs.004 v09: DKK returned in full, reason AC04', async (t) => {
  const r = await read('other/cbpr-pacs004-v09-p231b-CtoB.xml');
  t.is(r.messageId, 'pacs002bizmsgidr-001');
  const tx = ret(r).transactions[0]!;
  t.is(money(tx.originalAmount), 'DKK 591636 (591636)');
  t.is(money(tx.returnedAmount), 'DKK 591636 (591636)');
  t.is(tx.returnedInstructedAmount, undefined);
  t.is(tx.originalInterbankSettlementDate, '2022-10-20');
  t.deepEqual(tx.reason, { reasonCode: 'AC04' });
  t.like(tx, {
    originalMessageId: 'pacs9bizmsgidr02',
    originalMessageType: 'pacs.009.001.08',
    originalEndToEndId: 'pacs008EndToEndId-001',
    originalUetr: '7a562c67-ca16-48ba-b074-65581be6f001',
  });
  t.deepEqual(tx.instructingAgent, { bic: 'BSCHESMM' });
  t.deepEqual(r.summary, { transactions: 1, total: { DKK: '591636.00' } });
});

test('CBPR+ pacs.004 v13: USD 20 less returned than was sent', async (t) => {
  const tx = ret(await read('other/cbpr-pacs004-v13-p212-BtoA.xml')).transactions[0]!;
  t.is(money(tx.originalAmount), 'USD 136500 (136500)');
  t.is(money(tx.returnedAmount), 'USD 136480 (136480)');
  t.is(money(tx.returnedInstructedAmount), 'USD 136480 (136480)');
  t.is(tx.originalAmount!.value.minus(tx.returnedAmount!.value).toFixed(), '20');
  t.is(tx.originalUetr, '174c245f-2682-4291-ad67-2a41e530cd27');
  t.is(tx.originalEndToEndId, 'E2E04044506271305');
  t.deepEqual(tx.reason, { reasonCode: 'AC04' });
});

// ---- camt.056 / camt.029 ------------------------------------------------------------------------

test('fedwire camt.056: a return request for a duplicate', async (t) => {
  const r = await read('other/fedwire-camt056-v08-return-request.xml');
  t.is(r.messageId, '20250310B1QDRCQR000401', 'the assignment id stands in for the missing GrpHdr');
  const m = investigation(r);
  t.is(m.assignmentId, '20250310B1QDRCQR000401');
  t.is(m.creationDateTime, '2025-03-10T09:30:00-04:00');
  t.is(m.caseId, '20250310011104238Sc01Step1MsgIdDUPL');
  t.deepEqual(m.assigner, { agent: { clearingSystem: 'USABA', memberId: '011104238' } });
  t.deepEqual(m.assignee, { agent: { clearingSystem: 'USABA', memberId: '021040078' } });
  t.is(m.confirmation, undefined);
  t.is(m.transactions.length, 1);
  const tx = m.transactions[0]!;
  t.like(tx, {
    index: 0,
    originalMessageId: '20250310B1QDRCQR000400',
    originalMessageType: 'pacs.008.001.08',
    originalInstructionId: 'Scenario01InstrId001',
    originalEndToEndId: 'Scenario01EtoEId001',
    originalUetr: '8a562c67-ca16-48ba-b074-65581be6f011',
    originalInterbankSettlementDate: '2025-03-10',
    reasonCode: 'DUPL',
  });
  t.is(money(tx.originalAmount), 'USD 1510000.74 (1510000.74)');
  t.deepEqual(tx.additionalInfo, ['Order cancelled. Ref:20250310B1QDRCQR000400']);
  t.is(tx.status, undefined);
  t.is(tx.cancellationId, undefined);
  t.deepEqual(r.summary, { transactions: 1, statuses: {} });
});

test('CBPR+ camt.056 v11: the case travels with the transaction', async (t) => {
  const r = await read('other/cbpr-camt056-v11-c2911-AtoB.xml');
  const m = investigation(r);
  t.is(m.assignmentId, 'cmt056bizmsgidr-001');
  t.is(m.caseId, undefined);
  t.deepEqual(m.assigner, { agent: { bic: 'MYMBGB2LXXX' } });
  t.deepEqual(m.assignee, { agent: { bic: 'INGBROBUXXX' } });
  const tx = m.transactions[0]!;
  t.is(tx.caseId, 'MYMBGB2LXXXCSE-1');
  t.is(money(tx.originalAmount), 'RON 591636 (591636)');
  t.is(tx.originalUetr, '174c245f-2682-4291-ad67-2a41e530cd27');
  t.is(tx.originalMessageId, 'pcs008bzmsgidr-1');
  t.is(tx.reasonCode, 'DUPL');
  t.is(tx.reasonProprietary, undefined);
  t.deepEqual(tx.additionalInfo, []);
  t.deepEqual(codes(r, 'APPHDR_MISMATCH'), ['AppHdr/MsgDefIdr']);
});

test('fedwire camt.029: the return request is refused (RJCR, NARR)', async (t) => {
  const r = await read('other/fedwire-camt029-v09-return-response.xml');
  t.is(r.messageId, '20250310B1QDRCQR000422');
  const m = investigation(r);
  t.is(m.type, 'camt.029');
  t.is(m.confirmation, 'RJCR');
  t.is(m.caseId, '20250310011104238Sc02Step1MsgIdSVNR');
  t.deepEqual(m.assigner, { agent: { clearingSystem: 'USABA', memberId: '021040078' } });
  const tx = m.transactions[0]!;
  t.like(tx, {
    originalMessageId: '20250310B1QDRCQR000400',
    originalInstructionId: 'Scenario02InstrId001',
    originalEndToEndId: 'Scenario02EtoEId001',
    originalUetr: '8a562c67-ca16-48ba-b074-65581be6f011',
    reasonCode: 'NARR',
  });
  t.is(tx.status, undefined, 'the file gives no TxCxlSts, only the message-level Conf');
  t.deepEqual(tx.reasons, [
    { code: 'NARR', additionalInfo: ['Corporation B delivered goods and services are in-line with client’s order.'] },
  ]);
});

test('camt.029: transaction cancellation status and proprietary reason', (t) => {
  const xml = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.029.001.09"><RsltnOfInvstgtn>
    <Assgnmt><Id>A1</Id><Assgnr><Pty><Nm>Corp</Nm></Pty></Assgnr><Assgne><Agt><FinInstnId><BICFI>BANKDEFFXXX</BICFI></FinInstnId></Agt></Assgne>
      <CreDtTm>2025-01-02T03:04:05Z</CreDtTm></Assgnmt>
    <Sts><Conf>CNCL</Conf></Sts>
    <CxlDtls><TxInfAndSts><CxlStsId>C1</CxlStsId><RslvdCase><Id>K1</Id></RslvdCase><TxCxlSts>ACCR</TxCxlSts>
      <CxlStsRsnInf><Rsn><Prtry>X1</Prtry></Rsn></CxlStsRsnInf></TxInfAndSts></CxlDtls>
    <CxlDtls><TxInfAndSts><TxCxlSts>RJCR</TxCxlSts></TxInfAndSts></CxlDtls>
  </RsltnOfInvstgtn></Document>`;
  const [r] = readBuffer(xml);
  const m = investigation(r!);
  t.deepEqual(m.assigner, { party: { name: 'Corp' } });
  t.deepEqual(m.assignee, { agent: { bic: 'BANKDEFFXXX' } });
  t.deepEqual(
    m.transactions.map((x) => [x.index, x.cancellationId, x.caseId, x.status, x.reasonProprietary]),
    [
      [0, 'C1', 'K1', 'ACCR', 'X1'],
      [1, undefined, undefined, 'RJCR', undefined],
    ],
  );
  t.deepEqual(r!.summary, { transactions: 2, statuses: { ACCR: 1, RJCR: 1 } });
});

// ---- the version table --------------------------------------------------------------------------

function pacs002(version: number, body: string): string {
  const v = String(version).padStart(2, '0');
  return `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.${v}"><FIToFIPmtStsRpt>
    <GrpHdr><MsgId>M</MsgId><CreDtTm>2025-01-01T00:00:00Z</CreDtTm></GrpHdr>${body}</FIToFIPmtStsRpt></Document>`;
}

test('pacs.002: OrgnlUETR from .10 on, flagged (but read) in .09', (t) => {
  const tx = '<TxInfAndSts><OrgnlUETR>8a562c67-ca16-48ba-b074-65581be6f011</OrgnlUETR><TxSts>ACSC</TxSts></TxInfAndSts>';
  const [v10] = readBuffer(pacs002(10, tx));
  t.deepEqual(codes(v10!, 'VERSION_ELEMENT'), []);
  const [v09] = readBuffer(pacs002(9, tx));
  t.is(status(v09!).transactions[0]!.originalUetr, '8a562c67-ca16-48ba-b074-65581be6f011');
  t.deepEqual(codes(v09!, 'VERSION_ELEMENT'), ['TxInfAndSts[0]/OrgnlUETR']);
});

test('pacs.002: a transaction names its original message from .06 on', (t) => {
  const body = `<OrgnlGrpInfAndSts><OrgnlMsgId>ROOT</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.05</OrgnlMsgNmId></OrgnlGrpInfAndSts>
    <TxInfAndSts><OrgnlGrpInf><OrgnlMsgId>TX</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.05</OrgnlMsgNmId></OrgnlGrpInf><TxSts>ACSP</TxSts></TxInfAndSts>`;
  const [v06] = readBuffer(pacs002(6, body));
  t.is(status(v06!).transactions[0]!.originalMessageId, 'TX');
  t.is(status(v06!).originalMessageId, 'ROOT');
  t.deepEqual(codes(v06!, 'VERSION_ELEMENT'), []);
  const [v05] = readBuffer(pacs002(5, body));
  t.is(status(v05!).transactions[0]!.originalMessageId, 'TX');
  t.deepEqual(codes(v05!, 'VERSION_ELEMENT'), ['TxInfAndSts[0]/OrgnlGrpInf']);
});

test('pacs.004: OrgnlUETR from .09 on', (t) => {
  const doc = (v: string) => `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.004.001.${v}"><PmtRtr>
    <GrpHdr><MsgId>M</MsgId><CreDtTm>2025-01-01T00:00:00Z</CreDtTm><NbOfTxs>1</NbOfTxs><SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
    <OrgnlGrpInf><OrgnlMsgId>O</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.07</OrgnlMsgNmId></OrgnlGrpInf>
    <TxInf><RtrId>R1</RtrId><OrgnlUETR>7a562c67-ca16-48ba-b074-65581be6f001</OrgnlUETR><RtrdIntrBkSttlmAmt Ccy="JPY">5000</RtrdIntrBkSttlmAmt>
      <RtrRsnInf><Rsn><Cd>AC01</Cd></Rsn></RtrRsnInf><RtrRsnInf><Rsn><Prtry>P9</Prtry></Rsn><AddtlInf>second</AddtlInf></RtrRsnInf></TxInf>
  </PmtRtr></Document>`;
  const [v08] = readBuffer(doc('08'));
  const m = ret(v08!);
  t.is(m.originalMessageId, 'O');
  t.is(m.originalMessageType, 'pacs.008.001.07');
  const tx = m.transactions[0]!;
  t.is(tx.returnId, 'R1');
  t.is(tx.originalUetr, '7a562c67-ca16-48ba-b074-65581be6f001');
  t.deepEqual(tx.reason, { reasonCode: 'AC01' });
  t.deepEqual(tx.reasons, [{ reasonCode: 'AC01' }, { reasonProprietary: 'P9', additionalInfo: ['second'] }]);
  t.deepEqual(codes(v08!, 'VERSION_ELEMENT'), ['TxInf[0]/OrgnlUETR']);
  t.deepEqual(v08!.summary, { transactions: 1, total: { JPY: '5000' } });
  const [v09] = readBuffer(doc('09'));
  t.deepEqual(codes(v09!, 'VERSION_ELEMENT'), []);
});

test('camt.056 (from .08), camt.029 (from .09) and pain.002 (from .10): OrgnlUETR', (t) => {
  const uetr = '<OrgnlUETR>174c245f-2682-4291-ad67-2a41e530cd27</OrgnlUETR>';
  const camt056 = (v: string) => `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.056.001.${v}"><FIToFIPmtCxlReq>
    <Assgnmt><Id>A</Id></Assgnmt><Undrlyg><TxInf><CxlId>X</CxlId>${uetr}</TxInf></Undrlyg></FIToFIPmtCxlReq></Document>`;
  const camt029 = (v: string) => `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.029.001.${v}"><RsltnOfInvstgtn>
    <Assgnmt><Id>A</Id></Assgnmt><Sts><Conf>CNCL</Conf></Sts><CxlDtls><TxInfAndSts>${uetr}</TxInfAndSts></CxlDtls></RsltnOfInvstgtn></Document>`;
  const pain002 = (v: string) => `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.${v}"><CstmrPmtStsRpt>
    <GrpHdr><MsgId>M</MsgId></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>O</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts><OrgnlPmtInfId>P</OrgnlPmtInfId><TxInfAndSts>${uetr}<TxSts>ACSC</TxSts></TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>`;
  const cases: [string, string, string | undefined][] = [
    [camt056('08'), 'camt.056.001.08', undefined],
    [camt056('07'), 'camt.056.001.07', 'Undrlyg[0]/TxInf[0]/OrgnlUETR'],
    [camt029('09'), 'camt.029.001.09', undefined],
    [camt029('08'), 'camt.029.001.08', 'CxlDtls[0]/TxInfAndSts[0]/OrgnlUETR'],
    [pain002('10'), 'pain.002.001.10', undefined],
    [pain002('09'), 'pain.002.001.09', 'OrgnlPmtInfAndSts[0]/TxInfAndSts[0]/OrgnlUETR'],
  ];
  for (const [xml, version, flagged] of cases) {
    const [r] = readBuffer(xml);
    t.is(r!.version, version);
    const m = r!.message;
    const tx = m?.type === 'pain.002' ? m.transactions[0] : m?.type === 'camt.056' || m?.type === 'camt.029' ? m.transactions[0] : undefined;
    t.is(tx?.originalUetr, '174c245f-2682-4291-ad67-2a41e530cd27', version);
    t.deepEqual(codes(r!, 'VERSION_ELEMENT'), flagged === undefined ? [] : [flagged], version);
  }
});
