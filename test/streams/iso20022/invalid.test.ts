// Every file in the corpus's invalid/ folder yields the specific finding it deserves.

import test from 'ava';
import { readFile } from '../../../streams/iso20022/reader.ts';
import { sample } from '../../helpers/shared.ts';

const CASES: Record<string, { code: string; path?: string }> = {
  'crossriver-pain002-v03-capital-Xmlns.xml': { code: 'NAMESPACE_MISSING', path: 'Document' },
  'dvbern-camt054-empty-document.xml': { code: 'DOCUMENT_EMPTY', path: 'Document' },
  'genkgo-camt053-v02-no-statement.xml': { code: 'REQUIRED_MISSING', path: 'Stmt' },
  'hbci4java-camt052-no-namespace.xml': { code: 'NAMESPACE_MISSING', path: 'Document' },
  'hbci4java-camt052-unversioned-namespace.xml': { code: 'NAMESPACE_UNVERSIONED', path: 'Document' },
  'hbci4java-camt052-v08-amount-13-decimals.xml': { code: 'AMOUNT_FORMAT', path: 'Rpt[0]/Bal[0]/Amt' },
  'hbci4java-camt052-v08-balance-missing-date.xml': { code: 'REQUIRED_MISSING', path: 'Rpt[0]/Bal[0]/Dt' },
  'hbci4java-pain001-unversioned-namespace.xml': { code: 'NAMESPACE_UNVERSIONED', path: 'Document' },
  'moov-pain002-no-namespace.xml': { code: 'NAMESPACE_MISSING', path: 'Document' },
  'prowide-pacs002-v08-invalid-element.xml': { code: 'UNEXPECTED_ELEMENT', path: 'TxInfAndSts[0]/InstrForCdtrAcct' },
  'viafintech-camt053-v03-empty-document.xml': { code: 'DOCUMENT_EMPTY', path: 'Document' },
};

for (const [file, want] of Object.entries(CASES)) {
  test(file, async (t) => {
    const results = await readFile(sample(`invalid/${file}`));
    t.is(results.length, 1);
    const found = results[0]!.findings.filter((f) => f.code === want.code);
    t.true(found.length > 0, `expected ${want.code}, got ${results[0]!.findings.map((f) => f.code).join(', ') || 'nothing'}`);
    if (want.path !== undefined) t.true(found.some((f) => f.path === want.path), `paths: ${found.map((f) => f.path).join(', ')}`);
  });
}
