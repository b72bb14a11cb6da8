// Hostile and odd inputs: the reader never throws, never hangs, never fetches anything and keeps its
// memory bounded; every input ends as results with clear findings. Inputs are generated here
// (from shared samples read in place, never copied). Every test runs with both tokenizers; where
// sax and saxes differ, the test says so.

import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FindingCode } from '../../../streams/iso20022/findings.ts';
import type { CreditTransferMessage, Entry, ReportMessage } from '../../../streams/iso20022/model.ts';
import { readBuffer, readStream, type ReadOptions, type ReadResult } from '../../../streams/iso20022/reader.ts';
import type { TokenizerKind } from '../../../streams/iso20022/xml/tokenizer.ts';
import { sample } from '../../helpers/shared.ts';

const TOKENIZERS: TokenizerKind[] = ['fast', 'saxes', 'sax'];

/** camt.053.001.08, 5 entries, UTF-8 with Ä/Ü in AddtlNtryInf. */
const STATEMENT = readFileSync(sample('camt.053/postfinance-camt053-v08-2020.xml'));
const STATEMENT_TEXT = STATEMENT.toString('utf8');
const STATEMENT_SUMMARY = { entries: 5, credits: { CHF: '4733.72' }, debits: { CHF: '77.70' } };
/** CBPR+ pacs.008.001.08 in a SWIFT Envelope with a head.001 AppHdr, `pacs:` prefixes. */
const PACS008_TEXT = readFileSync(sample('pacs.008/cbpr-pacs008-v08-c10511-AtoB.xml'), 'utf8');

/** Codes of input-level problems: the ones this file is about. */
const INPUT_CODES = new Set<FindingCode>([
  'INPUT_EMPTY',
  'ENCODING_INVALID',
  'ENCODING_UNSUPPORTED',
  'XML_MALFORMED',
  'XML_DOCTYPE_FORBIDDEN',
  'XML_TOO_DEEP',
  'XML_TOO_LARGE',
  'DOCUMENT_MISSING',
  'DOCUMENT_EMPTY',
]);

function codes(results: readonly ReadResult[]): FindingCode[] {
  return results.flatMap((r) => r.findings.map((f) => f.code));
}

function inputCodes(results: readonly ReadResult[]): FindingCode[] {
  return codes(results).filter((c) => INPUT_CODES.has(c));
}

/** One result, rejected, with exactly one input-level finding among `allowed`; returns its code. */
function rejected(t: ExecutionContext, results: readonly ReadResult[], allowed: readonly FindingCode[]): FindingCode | undefined {
  t.is(results.length, 1, `one result, got ${results.length}`);
  const r = results[0]!;
  t.false(r.ok);
  t.is(r.message, null);
  const found = inputCodes(results);
  t.is(found.length, 1, `one input finding, got ${found.join(', ')}`);
  t.true(allowed.includes(found[0]!), `expected one of ${allowed.join(', ')}, got ${r.findings.map((f) => `${f.code}: ${f.message}`).join('; ')}`);
  return found[0];
}

/** The same bytes as a stream of `size`-byte chunks. */
function chunked(bytes: Uint8Array, size: number): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })(),
  );
}

/** Deterministic pseudo-random bytes (mulberry32). */
function randomBytes(seed: number, n: number): Buffer {
  const out = Buffer.alloc(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    out[i] = ((x ^ (x >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

/** The model as JSON, to compare two spellings of the same message. */
function modelOf(results: readonly ReadResult[]): string {
  return JSON.stringify(results.map((r) => [r.type, r.version, r.messageId, r.summary, r.message, r.findings]));
}

// A full GC before each heap sample measures what is retained, not what awaits collection. With
// no --expose-gc on the command line, V8 can still be asked for it at run time.
const gc: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

for (const tokenizer of TOKENIZERS) {
  const read = (input: Uint8Array | string, options: ReadOptions = {}) => readBuffer(input, { ...options, tokenizer });
  const stream = (input: AsyncIterable<Uint8Array | string>, options: ReadOptions = {}) => readStream(input, { ...options, tokenizer });

  test(`${tokenizer}: the untouched statement reads cleanly (the base of what follows)`, (t) => {
    const results = read(STATEMENT);
    t.is(results.length, 1);
    t.deepEqual(results[0]!.summary, STATEMENT_SUMMARY);
    t.deepEqual(inputCodes(results), []);
  });

  test(`${tokenizer}: a statement cut at 10 offsets is XML_MALFORMED (or ENCODING_INVALID inside a character), never an exception`, async (t) => {
    const umlaut = STATEMENT.indexOf(Buffer.from('Ä'));
    t.true(umlaut > 0);
    const offsets = [1, 20, 39, 300, 1200, 2400, 3600, 4800, STATEMENT.length - 3, umlaut + 1];
    for (const at of offsets) {
      const cut = STATEMENT.subarray(0, at);
      const whole = read(cut);
      const code = rejected(t, whole, ['XML_MALFORMED', 'ENCODING_INVALID']);
      t.is(code, at === umlaut + 1 ? 'ENCODING_INVALID' : 'XML_MALFORMED', `cut at ${at}`);
      // Fed in 7-byte chunks the verdict is the same.
      t.deepEqual(codes(await stream(chunked(cut, 7))), codes(whole), `cut at ${at}, streamed`);
    }
  });

  test(`${tokenizer}: a wrapper of three Documents cut inside the third keeps the first two`, (t) => {
    const wrapped = busMessages();
    const cut = wrapped.slice(0, wrapped.lastIndexOf('<Ntry>') + 10);
    const results = read(cut);
    t.is(results.length, 3);
    t.true(results[0]!.ok && results[1]!.ok);
    t.deepEqual(inputCodes(results), ['XML_MALFORMED']);
    t.is(results[2]!.type, 'camt.053', 'the cut Document is still named');
  });

  test(`${tokenizer}: garbage bytes are XML_MALFORMED or ENCODING_INVALID`, (t) => {
    for (const seed of [1, 2, 3, 42]) rejected(t, read(randomBytes(seed, 4096)), ['XML_MALFORMED', 'ENCODING_INVALID']);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR'), randomBytes(7, 600)]);
    t.is(rejected(t, read(png), ['ENCODING_INVALID']), 'ENCODING_INVALID');
    const json = Buffer.from(JSON.stringify({ Document: { BkToCstmrStmt: { GrpHdr: { MsgId: 'X' } } }, amounts: [1, 2.5] }));
    t.is(rejected(t, read(json), ['XML_MALFORMED']), 'XML_MALFORMED');
    t.is(rejected(t, read(Buffer.from('MsgId;Amount\nA1;100.00\n')), ['XML_MALFORMED']), 'XML_MALFORMED');
    t.is(rejected(t, read(Buffer.from([0, 0, 0, 0, 0])), ['XML_MALFORMED']), 'XML_MALFORMED');
    // No element at all is not a document either (sax alone would accept it: see tokenizer.ts).
    t.is(rejected(t, read('<?xml version="1.0"?>\n<!-- nothing here -->\n'), ['XML_MALFORMED']), 'XML_MALFORMED');
  });

  test(`${tokenizer}: invalid UTF-8 in a UTF-8 document is ENCODING_INVALID, wherever it is`, async (t) => {
    const umlaut = STATEMENT.indexOf(Buffer.from('Ä'));
    const bad = (at: number, bytes: number[], drop = 0) =>
      Buffer.concat([STATEMENT.subarray(0, at), Buffer.from(bytes), STATEMENT.subarray(at + drop)]);
    const inputs = {
      'C3 28 for Ä': bad(umlaut, [0xc3, 0x28], 2),
      'overlong /': bad(umlaut, [0xc0, 0xaf], 2),
      'lone continuation in the prolog': bad(50, [0x80]),
      'surrogate half (ED A0 80) in a name': bad(STATEMENT.indexOf(Buffer.from('Robert')), [0xed, 0xa0, 0x80]),
      'FF near the end': bad(STATEMENT.length - 20, [0xff]),
    };
    for (const [label, input] of Object.entries(inputs)) {
      t.is(rejected(t, read(input), ['ENCODING_INVALID']), 'ENCODING_INVALID', label);
      t.deepEqual(inputCodes(await stream(chunked(input, 64))), ['ENCODING_INVALID'], `${label}, streamed`);
    }
  });

  test(`${tokenizer}: an ISO-8859-1 document is decoded as declared`, async (t) => {
    const latin = PACS008_TEXT.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
      .replace('<pacs:Nm>S Baldrick</pacs:Nm>', '<pacs:Nm>Jürgen Müller-Lüdenscheidt</pacs:Nm>')
      .replace('<pacs:Nm>A Tate</pacs:Nm>', '<pacs:Nm>Société Générale Élan</pacs:Nm>');
    t.not(latin, PACS008_TEXT);
    const bytes = Buffer.from(latin, 'latin1');
    t.true(bytes.includes(0xfc) && !bytes.includes(Buffer.from('ü')), 'ü is one latin-1 byte');
    for (const results of [read(bytes), await stream(chunked(bytes, 1))]) {
      t.is(results.length, 1);
      t.deepEqual(inputCodes(results), []);
      const transfer = (results[0]!.message as CreditTransferMessage).transfers[0]!;
      t.is(transfer.debtor?.name, 'Jürgen Müller-Lüdenscheidt');
      t.is(transfer.creditor?.name, 'Société Générale Élan');
    }
    // The same bytes declared as UTF-8 are refused, not turned into U+FFFD.
    const mislabelled = Buffer.from(latin.replace('encoding="ISO-8859-1"', 'encoding="UTF-8"'), 'latin1');
    t.is(rejected(t, read(mislabelled), ['ENCODING_INVALID']), 'ENCODING_INVALID');
  });

  test(`${tokenizer}: BOM, CR-only and CRLF line ends, one-line files read the same message`, async (t) => {
    const base = modelOf(read(STATEMENT));
    const variants: Record<string, Uint8Array | string> = {
      'UTF-8 BOM': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), STATEMENT]),
      'BOM in a string': `\uFEFF${STATEMENT_TEXT}`,
      'UTF-16LE with BOM': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(STATEMENT_TEXT.replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le')]),
      'CR only': STATEMENT_TEXT.replace(/\r?\n/g, '\r'),
      CRLF: STATEMENT_TEXT.replace(/\r?\n/g, '\r\n'),
      'one line': STATEMENT_TEXT.replace(/>\s+</g, '><').trim(),
    };
    for (const [label, input] of Object.entries(variants)) {
      t.is(modelOf(read(input)), base, label);
      if (typeof input !== 'string') t.is(modelOf(await stream(chunked(input, 3))), base, `${label}, streamed`);
    }
    t.false(String(variants['one line']).includes('\n'), 'the one-line variant has one line');
  });

  test(`${tokenizer}: namespace prefixes, declared or not`, (t) => {
    const ns = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08';
    const base = read(STATEMENT);
    const prefixed = (text: string, prefix: string) => text.replace(/<(\/?)([A-Za-z][\w.-]*)/g, `<$1${prefix}:$2`);
    const body = STATEMENT_TEXT.slice(STATEMENT_TEXT.indexOf('<BkToCstmrStmt>'), STATEMENT_TEXT.indexOf('</Document>'));
    const document = (open: string, inner: string, close: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${open}${inner}${close}`;

    // Every element prefixed, the prefix declared on Document.
    const declared = read(document(`<ns2:Document xmlns:ns2="${ns}">`, prefixed(body, 'ns2'), '</ns2:Document>'));
    t.is(modelOf(declared), modelOf(base));
    // Declared on a wrapper above Document.
    const above = read(`<Wrap xmlns:c="${ns}"><Inner><c:Document>${prefixed(body, 'c')}</c:Document></Inner></Wrap>`);
    t.is(modelOf(above), modelOf(base));
    // `ns2:` inside Document never declared: tolerated, names are read by their local part.
    const undeclared = read(document(`<Document xmlns="${ns}">`, prefixed(body, 'ns2'), '</Document>'));
    t.is(modelOf(undeclared), modelOf(base));
    // An undeclared prefix on Document itself leaves it without a namespace: a finding, no guess.
    const bare = read(document('<ns2:Document>', prefixed(body, 'ns2'), '</ns2:Document>'));
    t.is(bare.length, 1);
    t.deepEqual(codes(bare), ['NAMESPACE_MISSING']);
    t.is(bare[0]!.type, 'camt.053', 'the root still says what it looks like');
    // A prefix bound in a sibling's scope does not leak.
    const sibling = read(`<W><X xmlns:c="${ns}"/><c:Document>${prefixed(body, 'c')}</c:Document></W>`);
    t.deepEqual(codes(sibling), ['NAMESPACE_MISSING']);
  });

  test(`${tokenizer}: several Documents in one wrapper give one result each, in order, with their own AppHdr`, async (t) => {
    const xml = busMessages();
    for (const results of [read(xml), await stream(chunked(Buffer.from(xml), 100))]) {
      t.is(results.length, 3);
      t.deepEqual(
        results.map((r) => [r.index, r.type, r.messageId, r.appHeader?.businessMessageId, r.appHeader?.messageDefinitionId]),
        [
          [0, 'camt.054', 'NTF-1', 'BIZ-1', 'camt.054.001.08'],
          [1, 'pacs.008', 'pacs008bzmsgid-1', 'BIZ-2', 'pacs.008.001.08'],
          [2, 'camt.053', '20201124375204229003967', 'BIZ-3', 'camt.053.001.08'],
        ],
      );
      t.deepEqual(inputCodes(results), []);
      t.deepEqual(results[2]!.summary, STATEMENT_SUMMARY);
      t.deepEqual(results[0]!.summary, { entries: 1, credits: { EUR: '12.30' }, debits: {} });
    }
    // Two Documents glued together without a wrapper: the first is read, the second root is not
    // well-formed XML (sax alone would take it: the tokenizer seam refuses it for both).
    const statement = STATEMENT_TEXT.slice(STATEMENT_TEXT.indexOf('<Document'));
    const glued = read(STATEMENT_TEXT + statement);
    t.is(glued.length, 2);
    t.deepEqual(glued[0]!.summary, STATEMENT_SUMMARY);
    t.deepEqual(codes(glued.slice(1)), ['XML_MALFORMED']);
  });

  // Serial: it measures the heap, which concurrent tests would disturb.
  test.serial(`${tokenizer}: 10,000-deep nesting is XML_TOO_DEEP, fast, inside or outside a Document`, async (t) => {
    const deep = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
    const started = performance.now();
    t.is(rejected(t, read(deep(10_000)), ['XML_TOO_DEEP']), 'XML_TOO_DEEP');
    const inDoc = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>${deep(10_000)}</Stmt></BkToCstmrStmt></Document>`;
    const results = read(inDoc);
    t.is(rejected(t, results, ['XML_TOO_DEEP']), 'XML_TOO_DEEP');
    t.is(results[0]!.type, 'camt.053');
    // A stream that opens elements for ever: reading stops at the limit instead of draining it.
    const heap = process.memoryUsage().heapUsed;
    const endless = Readable.from(
      (function* () {
        const chunk = Buffer.from('<Stmt>'.repeat(10_000));
        for (;;) yield chunk;
      })(),
    );
    t.is(rejected(t, await stream(endless), ['XML_TOO_DEEP']), 'XML_TOO_DEEP');
    t.true(process.memoryUsage().heapUsed - heap < 64e6);
    t.true(performance.now() - started < 5000, `took ${Math.round(performance.now() - started)} ms`);
  });

  test(`${tokenizer}: a billion-laughs DOCTYPE is XML_DOCTYPE_FORBIDDEN before anything expands`, (t) => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const lolz = `<?xml version="1.0"?>\n<!DOCTYPE Document [\n${entities.join('\n')}\n]>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>&lol9;</MsgId></GrpHdr></BkToCstmrStmt></Document>`;
    const heap = process.memoryUsage().heapUsed;
    const started = performance.now();
    const results = read(lolz);
    t.true(performance.now() - started < 1000);
    t.true(process.memoryUsage().heapUsed - heap < 64e6);
    t.is(rejected(t, results, ['XML_DOCTYPE_FORBIDDEN']), 'XML_DOCTYPE_FORBIDDEN');
    t.false(JSON.stringify(results).includes('lollol'));
  });

  test(`${tokenizer}: XXE DOCTYPEs are refused and nothing is fetched or read`, async (t) => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.end('<!ENTITY leak "LEAKED">');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const doc = (doctype: string, ref: string) =>
        `<?xml version="1.0"?>\n${doctype}\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf><GrpHdr><MsgId>${ref}</MsgId></GrpHdr></FIToFICstmrCdtTrf></Document>`;
      const inputs = [
        doc('<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;'),
        doc('<!DOCTYPE Document [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/x">]>', '&xxe;'),
        doc(`<!DOCTYPE Document [<!ENTITY xxe SYSTEM "http://127.0.0.1:${port}/entity">]>`, '&xxe;'),
        doc(`<!DOCTYPE Document SYSTEM "http://127.0.0.1:${port}/dtd">`, '&leak;'),
        doc(`<!DOCTYPE Document [<!ENTITY % remote SYSTEM "http://127.0.0.1:${port}/param"> %remote;]>`, '&leak;'),
        doc('<!DOCTYPE Document PUBLIC "-//X//Y" "file:///etc/passwd">', 'x'),
      ];
      const started = performance.now();
      for (const input of inputs) {
        for (const results of [read(input), await stream(chunked(Buffer.from(input), 16))]) {
          t.is(rejected(t, results, ['XML_DOCTYPE_FORBIDDEN']), 'XML_DOCTYPE_FORBIDDEN');
          const seen = JSON.stringify(results);
          t.false(/root:|LEAKED|daemon:/.test(seen), 'no fetched content in the results');
        }
      }
      t.true(performance.now() - started < 2000, `took ${Math.round(performance.now() - started)} ms`);
      // Anything fetched would have arrived by now: give the event loop a moment to be sure.
      await new Promise((resolve) => setTimeout(resolve, 100));
      t.is(hits, 0, 'the local server saw no request');
    } finally {
      server.close();
    }
  });

  // Serial: it measures the heap, which concurrent tests would disturb.
  test.serial(`${tokenizer}: endless text, comments, attribute values and attribute lists are XML_TOO_LARGE with a flat heap`, async (t) => {
    const text = Buffer.from('a'.repeat(65_536));
    let attribute = 0;
    // Attribute names must differ, so each chunk names its own.
    const attributes = () => Buffer.from(Array.from({ length: 4096 }, () => ` a${String(attribute++).padStart(9, '0')}="1"`).join(''));
    const cases: Record<string, [string, () => Buffer]> = {
      'text in a Document': ['<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>', () => text],
      'text outside a Document': ['<Wrap>', () => text],
      'a comment': ['<Wrap><!--', () => text],
      'an attribute value': ['<Wrap a="', () => text],
      'attributes': ['<Wrap', attributes],
    };
    for (const [label, [head, next]] of Object.entries(cases)) {
      gc();
      const heap = process.memoryUsage().heapUsed;
      let maxHeap = heap;
      let n = 0;
      const endless = Readable.from(
        (function* () {
          yield Buffer.from(head);
          for (;;) {
            if (++n % 8 === 0) maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
            yield next();
          }
        })(),
      );
      const results = await stream(endless);
      t.is(rejected(t, results, ['XML_TOO_LARGE']), 'XML_TOO_LARGE', label);
      t.true(n < 200, `${label}: stopped after ${n} chunks of 64 KB`);
      t.true(maxHeap - heap < 100e6, `${label}: heap grew by ${Math.round((maxHeap - heap) / 1e6)} MB`);
    }
  });

  test.serial(`${tokenizer}: a 100 MB camt.053 streamed with keepRecords false: exact count and sums, bounded heap`, async (t) => {
    const statement = bigStatement(100e6);
    let count = 0;
    let credits = 0n;
    let debits = 0n;
    gc();
    const heapStart = process.memoryUsage().heapUsed;
    let heapMax = heapStart;
    const started = performance.now();
    const results = await stream(Readable.from(statement.chunks()), {
      keepRecords: false,
      onRecord(event) {
        const e = event.record as Entry;
        count++;
        const cents = BigInt(e.amount!.lexical.replace('.', ''));
        if (e.direction === 'CRDT') credits += cents;
        else debits += cents;
        if (count % 10_000 === 0) {
          gc();
          heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
        }
      },
    });
    const seconds = (performance.now() - started) / 1000;
    t.log(`${tokenizer}: ${(statement.produced() / 1e6).toFixed(1)} MB, ${statement.entries} entries in ${seconds.toFixed(1)} s; heap +${((heapMax - heapStart) / 1e6).toFixed(1)} MB`);
    t.true(statement.produced() >= 100e6);
    t.is(results.length, 1);
    const r = results[0]!;
    t.deepEqual(inputCodes(results), []);
    t.is(count, statement.entries);
    t.is(credits, statement.credits);
    t.is(debits, statement.debits);
    t.deepEqual(r.summary, { entries: statement.entries, credits: { EUR: decimal(statement.credits) }, debits: { EUR: decimal(statement.debits) } });
    const report = (r.message as ReportMessage).reports[0]!;
    t.is(report.entryCount, statement.entries);
    t.deepEqual(report.entries, [], 'no entry is kept');
    t.true(heapMax - heapStart < 150e6, `heap grew by ${((heapMax - heapStart) / 1e6).toFixed(1)} MB`);
  });
}

/** Three AppHdr + Document pairs in BusMsg wrappers, under one root. */
function busMessages(): string {
  const hdr = (id: string, def: string) =>
    `<AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02"><Fr><FIId><FinInstnId><BICFI>AAAAGB2LXXX</BICFI></FinInstnId></FIId></Fr><To><FIId><FinInstnId><BICFI>BBBBDEFFXXX</BICFI></FinInstnId></FIId></To><BizMsgIdr>${id}</BizMsgIdr><MsgDefIdr>${def}</MsgDefIdr><CreDt>2024-01-02T10:00:00Z</CreDt></AppHdr>`;
  const camt054 = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>NTF-1</MsgId><CreDtTm>2024-01-02T10:00:00</CreDtTm></GrpHdr><Ntfctn><Id>NTF-1-1</Id><CreDtTm>2024-01-02T10:00:00</CreDtTm><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct><Ntry><Amt Ccy="EUR">12.30</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt><ValDt><Dt>2024-01-02</Dt></ValDt><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`;
  const pacs008 = PACS008_TEXT.slice(PACS008_TEXT.indexOf('<pacs:Document'), PACS008_TEXT.indexOf('</pacs:Document>') + '</pacs:Document>'.length);
  const camt053 = STATEMENT_TEXT.slice(STATEMENT_TEXT.indexOf('<Document'));
  const bus = (h: string, d: string) => `<BusMsg>\n${h}\n${d}\n</BusMsg>\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Batch>\n${bus(hdr('BIZ-1', 'camt.054.001.08'), camt054)}${bus(hdr('BIZ-2', 'pacs.008.001.08'), pacs008)}${bus(hdr('BIZ-3', 'camt.053.001.08'), camt053.trimEnd())}</Batch>\n`;
}

function decimal(cents: bigint): string {
  const s = cents.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/**
 * A camt.053.001.08 statement of at least `bytes` bytes, produced chunk by chunk. Amounts are a
 * function of the entry number, so the balances and TxsSummry (which precede the entries) are
 * computed first, in integer cents, and the statement is consistent.
 */
function bigStatement(bytes: number) {
  const amountOf = (i: number) => 100n + BigInt((i * 7919) % 9_999_900);
  const isCredit = (i: number) => i % 3 !== 0;
  const entry = (i: number) => {
    const amt = decimal(amountOf(i));
    const dir = isCredit(i) ? 'CRDT' : 'DBIT';
    const ref = `REF${String(i).padStart(9, '0')}`;
    const them = isCredit(i) ? 'Dbtr' : 'Cdtr';
    return `<Ntry><NtryRef>${ref}</NtryRef><Amt Ccy="EUR">${amt}</Amt><CdtDbtInd>${dir}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-03-01</Dt></BookgDt><ValDt><Dt>2024-03-01</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>${isCredit(i) ? 'RCDT' : 'ICDT'}</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>E2E-${ref}</EndToEndId></Refs><Amt Ccy="EUR">${amt}</Amt><CdtDbtInd>${dir}</CdtDbtInd><RltdPties><${them}><Pty><Nm>Counterparty ${i % 997} GmbH</Nm></Pty></${them}><${them}Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></${them}Acct></RltdPties><RmtInf><Ustrd>Invoice ${i} of 2024-02-29, customer ${i % 4999}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n`;
  };
  // First pass: how many entries make `bytes` (entries are ASCII: length is bytes), and their sums.
  let entries = 0;
  let size = 0;
  let credits = 0n;
  let debits = 0n;
  let creditCount = 0;
  for (; size < bytes; entries++) {
    size += entry(entries).length;
    if (isCredit(entries)) {
      credits += amountOf(entries);
      creditCount++;
    } else {
      debits += amountOf(entries);
    }
  }
  const opening = 1_000_000_00n;
  const closing = opening + credits - debits;
  const signed = (cents: bigint) => `<Amt Ccy="EUR">${decimal(cents < 0n ? -cents : cents)}</Amt><CdtDbtInd>${cents < 0n ? 'DBIT' : 'CRDT'}</CdtDbtInd>`;
  const balance = (code: string, cents: bigint) => `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp>${signed(cents)}<Dt><Dt>2024-03-01</Dt></Dt></Bal>\n`;
  const net = credits - debits;
  const header =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>` +
    `<GrpHdr><MsgId>BIG-1</MsgId><CreDtTm>2024-03-02T06:00:00</CreDtTm></GrpHdr><Stmt><Id>BIG-1-1</Id><CreDtTm>2024-03-02T06:00:00</CreDtTm>` +
    `<Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>\n` +
    balance('OPBD', opening) +
    balance('CLBD', closing) +
    `<TxsSummry><TtlNtries><NbOfNtries>${entries}</NbOfNtries><Sum>${decimal(credits + debits)}</Sum><TtlNetNtry>${signed(net).replace(' Ccy="EUR"', '')}</TtlNetNtry></TtlNtries>` +
    `<TtlCdtNtries><NbOfNtries>${creditCount}</NbOfNtries><Sum>${decimal(credits)}</Sum></TtlCdtNtries><TtlDbtNtries><NbOfNtries>${entries - creditCount}</NbOfNtries><Sum>${decimal(debits)}</Sum></TtlDbtNtries></TxsSummry>\n`;
  const footer = '</Stmt></BkToCstmrStmt></Document>\n';
  let produced = 0;
  const chunk = (text: string) => {
    const b = Buffer.from(text);
    produced += b.length;
    return b;
  };
  return {
    entries,
    credits,
    debits,
    /** Bytes yielded so far. */
    produced: () => produced,
    async *chunks(): AsyncGenerator<Buffer> {
      yield chunk(header);
      let batch = '';
      for (let i = 0; i < entries; i++) {
        batch += entry(i);
        if (batch.length >= 60_000) {
          yield chunk(batch);
          batch = '';
        }
      }
      yield chunk(batch + footer);
    },
  };
}
