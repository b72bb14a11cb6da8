// UNEXPECTED_ELEMENT: elements no known version of a message defines at that place are flagged
// (once, at the top of the unknown subtree); xs:any content and the corpus's real files are not.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { MESSAGES, type MessageType } from '../../../streams/iso20022/catalogue.ts';
import type { Finding } from '../../../streams/iso20022/findings.ts';
import { readBuffer, readFile } from '../../../streams/iso20022/reader.ts';
import { checkElements, schemaVersions } from '../../../streams/iso20022/schema/elements.ts';
import { appendChild, xnode, type XNode } from '../../../streams/iso20022/xml/tree.ts';
import { SAMPLES, sample } from '../../helpers/shared.ts';

const unexpected = (findings: readonly Finding[]) => findings.filter((f) => f.code === 'UNEXPECTED_ELEMENT');

/** A small tree from nested arrays: ['Name', child, child ...]. */
type Spec = readonly [string, ...Spec[]];
function tree([name, ...kids]: Spec): XNode {
  const n = xnode(name, null);
  for (const k of kids) appendChild(n, tree(k));
  return n;
}

test('prowide pacs.002.001.08: one finding at TxInfAndSts[0]/InstrForCdtrAcct, its children not flagged', async (t) => {
  const results = await readFile(sample('invalid/prowide-pacs002-v08-invalid-element.xml'));
  t.is(results.length, 1);
  const found = unexpected(results[0]!.findings);
  t.deepEqual(
    found.map((f) => f.path),
    ['TxInfAndSts[0]/InstrForCdtrAcct'],
  );
  t.is(found[0]!.severity, 'warning');
});

test('the union covers an element of another version: Cdtr/Nm of pacs.002.001.08 (a Party40Choice in .10)', (t) => {
  const findings: Finding[] = [];
  const rec = tree(['TxInfAndSts', ['OrgnlTxRef', ['Cdtr', ['Nm'], ['PstlAdr', ['Ctry']]], ['Dbtr', ['Pty', ['Nm']]]]]);
  checkElements('pacs.002', rec, 'TxInfAndSts[0]', findings);
  t.deepEqual(findings, []);
  t.true(schemaVersions('pacs.002').includes('pacs.002.001.08'));
  t.true(schemaVersions('pacs.002').includes('pacs.002.001.10'));
});

const CAMT053 = readFileSync(sample('camt.053/iso-camt053-v02-business-example.xml'), 'utf8');

test('camt.053: an unknown element inside an Ntry is flagged with the entry path, once', (t) => {
  const xml = CAMT053.replace('<BookgDt>', '<Foo><Bar>1</Bar><Baz/></Foo><BookgDt>');
  const [r] = readBuffer(xml);
  const found = unexpected(r!.findings);
  t.deepEqual(
    found.map((f) => f.path),
    ['Stmt[0]/Ntry[0]/Foo'],
  );
  t.regex(found[0]!.message, /Foo is not an element of Ntry/);
});

test('camt.053: unknown elements deeper in an entry and outside records get their full paths', (t) => {
  const xml = CAMT053.replace('<Refs>', '<Refs><Zz>1</Zz>').replace('<MsgId>', '<Yy>1</Yy><MsgId>');
  const [r] = readBuffer(xml);
  const paths = unexpected(r!.findings).map((f) => f.path);
  t.true(paths.includes('GrpHdr/Yy'), paths.join(', '));
  t.true(
    paths.some((p) => /^Stmt\[0\]\/Ntry\[\d+\]\/NtryDtls\/TxDtls\/Refs\/Zz$/.test(p)),
    paths.join(', '),
  );
});

test('checkElements: statement-level elements carry the container index, leaves holding elements are flagged', (t) => {
  const findings: Finding[] = [];
  const root = tree(['BkToCstmrStmt', ['GrpHdr', ['MsgId']], ['Stmt', ['Id']], ['Stmt', ['Id'], ['Bal', ['Amt', ['X']]]]]);
  checkElements('camt.053', root, '', findings);
  t.deepEqual(
    findings.map((f) => f.path),
    ['Stmt[1]/Bal/Amt/X'],
  );
});

test('xs:any content (SplmtryData/Envlp) is not looked into', (t) => {
  const envlp = '<SplmtryData><PlcAndNm>x</PlcAndNm><Envlp><foo:Doc xmlns:foo="urn:x"><foo:Any><foo:Thing>1</foo:Thing></foo:Any></foo:Doc></Envlp></SplmtryData>';
  const xml = CAMT053.replace('</Stmt>', `</Stmt>${envlp}`).replace('</Ntry>', `<NtryDtls><TxDtls>${envlp}</TxDtls></NtryDtls></Ntry>`);
  t.true(xml.includes('<TxDtls><SplmtryData>'));
  const [r] = readBuffer(xml);
  t.deepEqual(unexpected(r!.findings), []);
  // ... but a SplmtryData with something other than PlcAndNm/Envlp is.
  const bad = CAMT053.replace('</Stmt>', '</Stmt><SplmtryData><Envlp><x/></Envlp><Oops/></SplmtryData>');
  t.deepEqual(
    unexpected(readBuffer(bad)[0]!.findings).map((f) => f.path),
    ['SplmtryData/Oops'],
  );
});

test('every message type has a table built from more than one version', (t) => {
  const types = Object.keys(MESSAGES) as MessageType[];
  t.is(types.length, 11);
  for (const type of types) t.true(schemaVersions(type).length >= 2, `${type}: ${schemaVersions(type).join(', ')}`);
});

// Real files whose UNEXPECTED_ELEMENT findings are genuine quirks of the sender (path list per file).
const KNOWN_QUIRKS: Readonly<Record<string, readonly string[]>> = {};

function corpusFiles(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) {
      if (f !== 'invalid') out.push(...corpusFiles(p));
    } else out.push(p);
  }
  return out;
}

test('no legitimate element of the corpus is flagged', async (t) => {
  const files = corpusFiles(SAMPLES);
  t.true(files.length > 90);
  const got: Record<string, string[]> = {};
  for (const file of files) {
    const rel = file.slice(SAMPLES.length + 1);
    for (const r of await readFile(file)) {
      const paths = unexpected(r.findings).map((f) => f.path);
      if (paths.length > 0) (got[rel] ??= []).push(...paths);
    }
  }
  t.deepEqual(got, KNOWN_QUIRKS);
});
