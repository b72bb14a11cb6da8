// Messages the benchmarks read, built in memory so every run measures the same bytes. Shapes and
// values follow real samples from the shared corpus (camt.054.001.08 with one Ntry/TxDtls, a
// CBPR+ pacs.008.001.08, a camt.053.001.08 statement); sizes match those in
// shared/notes/building-block-speeds.md (~2.7 KB, ~1.7 KB, 200 entries of ~1.2 KB).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SHARED = process.env['DELTRAN_SHARED'] ?? join(import.meta.dirname, '..', '..', 'shared');

/** camt.054.001.08: one notification, one booked entry with one TxDtls (~2.7 KB). */
export function camt054(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr>
      <MsgId>AAAASESS-FP-ACCR001</MsgId>
      <CreDtTm>2024-10-18T12:30:00+01:00</CreDtTm>
    </GrpHdr>
    <Ntfctn>
      <Id>AAAASESS-FP-ACCR001-N1</Id>
      <CreDtTm>2024-10-18T12:30:00+01:00</CreDtTm>
      <Acct>
        <Id>
          <IBAN>CH2801234000123456789</IBAN>
        </Id>
        <Ccy>CHF</Ccy>
        <Ownr>
          <Nm>Robert Schneider SA</Nm>
        </Ownr>
      </Acct>
      <Ntry>
        <NtryRef>41100000000872849</NtryRef>
        <Amt Ccy="CHF">2000.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <RvslInd>false</RvslInd>
        <Sts>
          <Cd>BOOK</Cd>
        </Sts>
        <BookgDt>
          <Dt>2024-10-18</Dt>
        </BookgDt>
        <ValDt>
          <Dt>2024-10-18</Dt>
        </ValDt>
        <AcctSvcrRef>0758103031480900</AcctSvcrRef>
        <BkTxCd>
          <Domn>
            <Cd>PMNT</Cd>
            <Fmly>
              <Cd>RCDT</Cd>
              <SubFmlyCd>XBCT</SubFmlyCd>
            </Fmly>
          </Domn>
        </BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs>
              <AcctSvcrRef>0758103031480900</AcctSvcrRef>
              <InstrId>INSTR-2024-10-18-0001</InstrId>
              <EndToEndId>E2E-2024-10-18-0001</EndToEndId>
              <UETR>255ae394-9965-4438-ac86-f406feada396</UETR>
            </Refs>
            <Amt Ccy="CHF">2000.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties>
              <Dbtr>
                <Pty>
                  <Nm>Pia Rutschmann</Nm>
                  <PstlAdr>
                    <StrtNm>Marktgasse</StrtNm>
                    <TwnNm>Rorschach</TwnNm>
                    <Ctry>CH</Ctry>
                  </PstlAdr>
                </Pty>
              </Dbtr>
              <DbtrAcct>
                <Id>
                  <IBAN>CH5481230000001998736</IBAN>
                </Id>
              </DbtrAcct>
              <Cdtr>
                <Pty>
                  <Nm>Robert Schneider SA</Nm>
                </Pty>
              </Cdtr>
              <CdtrAcct>
                <Id>
                  <IBAN>CH2801234000123456789</IBAN>
                </Id>
              </CdtrAcct>
            </RltdPties>
            <RltdAgts>
              <DbtrAgt>
                <FinInstnId>
                  <BICFI>RAIFCH22XXX</BICFI>
                </FinInstnId>
              </DbtrAgt>
            </RltdAgts>
            <RmtInf>
              <Ustrd>Invoice 2024-4711 of 2024-09-30, customer 100-2200</Ustrd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
`;
}

/** The Document of the CBPR+ pacs.008.001.08 sample (one CdtTrfTxInf), without the Envelope. */
export function pacs008(): string {
  const file = join(SHARED, 'iso20022', 'samples', 'pacs.008', 'cbpr-pacs008-v08-c10511-AtoB.xml');
  const xml = readFileSync(file, 'utf8');
  const start = xml.indexOf('<pacs:Document');
  const end = xml.indexOf('</pacs:Document>') + '</pacs:Document>'.length;
  if (start < 0 || end < start) throw new Error(`no pacs:Document in ${file}`);
  // Strip the indentation the Envelope added, as the notes did for their 1.7 KB message.
  const doc = xml.slice(start, end).replace(/\n\t+/g, '\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${doc}\n`;
}

/** camt.053.001.08: one statement with `n` booked entries, consistent balances and TxsSummry. */
export function camt053(n = 200): string {
  let credits = 0n;
  let debits = 0n;
  let creditCount = 0;
  const entries: string[] = [];
  for (let i = 0; i < n; i++) {
    const cents = 1000n + BigInt((i * 7919) % 500000);
    const credit = i % 3 !== 0;
    if (credit) {
      credits += cents;
      creditCount++;
    } else {
      debits += cents;
    }
    entries.push(entry(i, cents, credit));
  }
  const opening = 21199319n;
  const closing = opening + credits - debits;
  const net = credits - debits;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
<BkToCstmrStmt>
<GrpHdr><MsgId>20241124375204229003967</MsgId><CreDtTm>2024-11-25T02:02:16</CreDtTm><MsgPgntn><PgNb>1</PgNb><LastPgInd>true</LastPgInd></MsgPgntn></GrpHdr>
<Stmt>
<Id>20241124375204229003973</Id><ElctrncSeqNb>118</ElctrncSeqNb><CreDtTm>2024-11-25T02:02:16</CreDtTm>
<FrToDt><FrDtTm>2024-11-24T00:00:00</FrDtTm><ToDtTm>2024-11-24T23:59:59</ToDtTm></FrToDt>
<Acct><Id><IBAN>CH2909000000250094239</IBAN></Id><Ccy>CHF</Ccy><Ownr><Nm>Robert Schneider SA Grands magasins Biel/Bienne</Nm></Ownr></Acct>
${balance('OPBD', opening)}
${balance('CLBD', closing)}
<TxsSummry><TtlNtries><NbOfNtries>${n}</NbOfNtries><Sum>${dec(credits + debits)}</Sum><TtlNetNtry><Amt>${dec(net < 0n ? -net : net)}</Amt><CdtDbtInd>${net < 0n ? 'DBIT' : 'CRDT'}</CdtDbtInd></TtlNetNtry></TtlNtries><TtlCdtNtries><NbOfNtries>${creditCount}</NbOfNtries><Sum>${dec(credits)}</Sum></TtlCdtNtries><TtlDbtNtries><NbOfNtries>${n - creditCount}</NbOfNtries><Sum>${dec(debits)}</Sum></TtlDbtNtries></TxsSummry>
${entries.join('\n')}
</Stmt>
</BkToCstmrStmt>
</Document>
`;
}

function balance(code: string, cents: bigint): string {
  const dir = cents < 0n ? 'DBIT' : 'CRDT';
  return `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="CHF">${dec(cents < 0n ? -cents : cents)}</Amt><CdtDbtInd>${dir}</CdtDbtInd><Dt><Dt>2024-11-24</Dt></Dt></Bal>`;
}

function entry(i: number, cents: bigint, credit: boolean): string {
  const amt = dec(cents);
  const dir = credit ? 'CRDT' : 'DBIT';
  const ref = `07582000303${String(i).padStart(6, '0')}`;
  const uetr = `7a562c67-ca16-48ba-b074-${String(i).padStart(12, '0')}`;
  const [us, them] = credit ? ['Cdtr', 'Dbtr'] : ['Dbtr', 'Cdtr'];
  return `<Ntry><NtryRef>${ref}</NtryRef><Amt Ccy="CHF">${amt}</Amt><CdtDbtInd>${dir}</CdtDbtInd><RvslInd>false</RvslInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-11-24</Dt></BookgDt><ValDt><Dt>2024-11-24</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>${credit ? 'RCDT' : 'ICDT'}</Cd><SubFmlyCd>AUTT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs><AcctSvcrRef>${ref}</AcctSvcrRef><EndToEndId>E2E-${ref}</EndToEndId><UETR>${uetr}</UETR></Refs><Amt Ccy="CHF">${amt}</Amt><CdtDbtInd>${dir}</CdtDbtInd><RltdPties><${them}><Pty><Nm>Counterparty ${i} AG</Nm><PstlAdr><TwnNm>Biel/Bienne</TwnNm><Ctry>CH</Ctry></PstlAdr></Pty></${them}><${them}Acct><Id><IBAN>CH5481230000001998736</IBAN></Id></${them}Acct><${us}><Pty><Nm>Robert Schneider SA</Nm></Pty></${us}></RltdPties><RltdAgts><${them}Agt><FinInstnId><BICFI>RAIFCH22XXX</BICFI></FinInstnId></${them}Agt></RltdAgts><RmtInf><Ustrd>Invoice ${i} customer 100-2200</Ustrd></RmtInf></TxDtls></NtryDtls><AddtlNtryInf>SAMMELGUTSCHRIFT FUER KONTO: CH2909000000250094239 PAKET ID: ${ref}</AddtlNtryInf></Ntry>`;
}

function dec(cents: bigint): string {
  const s = cents.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}
