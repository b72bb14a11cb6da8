// Versions come from the Document namespace, and element renames across versions come from one
// table (versions.ts): these tests pin both, then read the same entry written in an old and a new
// version and expect the same model.

import test from 'ava';
import { parseNamespace, versionSupported, MESSAGES } from '../../../streams/iso20022/catalogue.ts';
import type { Entry, ReportMessage } from '../../../streams/iso20022/model.ts';
import { readBuffer } from '../../../streams/iso20022/reader.ts';
import { fieldPaths } from '../../../streams/iso20022/versions.ts';

test('namespaces: ISO URNs, national variants, and the ways they go wrong', (t) => {
  const ok = (uri: string) => {
    const r = parseNamespace(uri);
    return r.ok ? r.message : r.code;
  };
  t.like(ok('urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'), { id: 'camt.053.001.02', type: 'camt.053', variant: 1, version: 2 });
  t.like(ok('urn:iso:std:iso:20022:tech:xsd:pain.001.003.03'), { type: 'pain.001', variant: 3, version: 3 });
  t.like(ok('http://www.six-interbank-clearing.com/de/pain.001.001.03.ch.02.xsd'), {
    id: 'pain.001.001.03.ch.02',
    type: 'pain.001',
    version: 3,
    national: 'ch.02',
  });
  t.is(ok(''), 'NAMESPACE_MISSING');
  t.is(ok('urn:iso:std:iso:20022:tech:xsd:camt'), 'NAMESPACE_UNVERSIONED');
  t.is(ok('urn:iso:std:iso:20023:tech:xsd:camt.053.001.02'), 'NAMESPACE_UNKNOWN');
  t.is(ok('http://example.com/whatever'), 'NAMESPACE_UNKNOWN');
});

test('supported version ranges include every version in circulation', (t) => {
  const supported = (id: string) => {
    const r = parseNamespace(`urn:iso:std:iso:20022:tech:xsd:${id}`);
    if (!r.ok) return false;
    return versionSupported(r.message.type as keyof typeof MESSAGES, r.message);
  };
  for (let v = 2; v <= 13; v++) {
    for (const m of ['camt.052', 'camt.053', 'camt.054']) t.true(supported(`${m}.001.${String(v).padStart(2, '0')}`), `${m} v${v}`);
  }
  for (const id of ['pain.001.001.03', 'pain.001.001.08', 'pain.001.001.09', 'pain.001.002.03', 'pain.001.003.03']) t.true(supported(id), id);
  for (const id of ['pacs.008.001.02', 'pacs.008.001.07', 'pacs.008.001.08', 'pacs.008.001.12']) t.true(supported(id), id);
  t.false(supported('camt.053.001.14'));
  t.false(supported('pain.001.004.03'));
});

test('the rename table gives each version its own element first, the others after', (t) => {
  t.deepEqual(fieldPaths('camt', 2, 'agentBic').candidates, ['FinInstnId/BIC', 'FinInstnId/BICFI']);
  t.deepEqual(fieldPaths('camt', 8, 'agentBic').candidates, ['FinInstnId/BICFI', 'FinInstnId/BIC']);
  t.is(fieldPaths('camt', 6, 'entryStatus').own, 'Sts');
  t.is(fieldPaths('camt', 7, 'entryStatus').own, 'Sts/Cd');
  t.is(fieldPaths('camt', 6, 'relatedDebtor').own, 'Dbtr');
  t.is(fieldPaths('camt', 7, 'relatedDebtor').own, 'Dbtr/Pty');
  t.is(fieldPaths('pain', 3, 'requestedExecutionDate').own, 'ReqdExctnDt');
  t.is(fieldPaths('pain', 9, 'requestedExecutionDate').own, 'ReqdExctnDt/Dt');
  t.is(fieldPaths('camt', 2, 'uetr').own, undefined);
  t.is(fieldPaths('camt', 8, 'uetr').own, 'Refs/UETR');
  t.is(fieldPaths('pacs', 8, 'uetr').own, 'PmtId/UETR');
});

/** One booked credit with a debtor, written the way version `v` spells it. */
function notification(v: number, style: 'old' | 'new'): string {
  const bic = style === 'old' ? '<BIC>DEUTDEFFXXX</BIC>' : '<BICFI>DEUTDEFFXXX</BICFI>';
  const sts = style === 'old' ? '<Sts>BOOK</Sts>' : '<Sts><Cd>BOOK</Cd></Sts>';
  const dbtr = style === 'old' ? '<Dbtr><Nm>Anna Muster</Nm></Dbtr>' : '<Dbtr><Pty><Nm>Anna Muster</Nm></Pty></Dbtr>';
  const uetr = style === 'new' ? '<UETR>eb6305c9-1f7f-49de-aed0-16487c27b42d</UETR>' : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.${String(v).padStart(2, '0')}"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-24T10:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>N1</Id><CreDtTm>2026-11-24T10:00:00</CreDtTm><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">1200.50</Amt><CdtDbtInd>CRDT</CdtDbtInd>${sts}<BookgDt><Dt>2026-11-24</Dt></BookgDt><ValDt><Dt>2026-11-24</Dt></ValDt>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-1</EndToEndId>${uetr}</Refs><RltdPties>${dbtr}</RltdPties>
<RltdAgts><DbtrAgt><FinInstnId>${bic}</FinInstnId></DbtrAgt></RltdAgts></TxDtls></NtryDtls></Ntry>
</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`;
}

function onlyEntry(xml: string): { entry: Entry; codes: string[] } {
  const [r] = readBuffer(xml);
  const m = r!.message as ReportMessage;
  return { entry: m.reports[0]!.entries[0]!, codes: r!.findings.map((f) => f.code) };
}

test('an entry reads the same in .02 (old names) and .08 (new names)', (t) => {
  const old = onlyEntry(notification(2, 'old'));
  const cur = onlyEntry(notification(8, 'new'));
  for (const e of [old.entry, cur.entry]) {
    t.is(e.status, 'BOOK');
    t.is(e.direction, 'CRDT');
    t.is(e.amount?.value.toFixed(2), '1200.50');
    t.is(e.details[0]?.debtor?.name, 'Anna Muster');
    t.is(e.details[0]?.debtorAgent?.bic, 'DEUTDEFFXXX');
    t.is(e.details[0]?.refs.endToEndId, 'E2E-1');
  }
  t.is(cur.entry.details[0]?.refs.uetr, 'eb6305c9-1f7f-49de-aed0-16487c27b42d');
  t.false(old.codes.includes('VERSION_ELEMENT'));
  t.false(cur.codes.includes('VERSION_ELEMENT'));
});

test('an element of another version is read, and flagged once per field', (t) => {
  const mixed = onlyEntry(notification(8, 'old'));
  t.is(mixed.entry.status, 'BOOK');
  t.is(mixed.entry.details[0]?.debtorAgent?.bic, 'DEUTDEFFXXX');
  t.true(mixed.codes.filter((c) => c === 'VERSION_ELEMENT').length >= 2);
});
