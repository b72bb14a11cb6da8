// How much deltran's full read (decode-free string input, tokenize, frame, map, validate, summarize)
// costs over the bare `saxes` tokenizer with no-op handlers, on the three message shapes of
// shared/notes/building-block-speeds.md. The floor: full read ≥ 0.6× bare saxes, per case.
// `fast-bare` is deltran's own tokenizer (the default) with no-op handlers, `deltran-fast` the full
// read with it; ratios stay relative to bare saxes.
//
//   npm run bench -- parse [seconds-per-case, default 1.5]
//
// Cases and implementations are interleaved in rounds, in one process, after a warm-up; each
// printed line is one (case, impl) with the throughput over all its rounds.

import { SaxesParser } from 'saxes';
import { readBuffer, type ReadResult } from '../streams/iso20022/reader.ts';
import { formatFinding } from '../streams/iso20022/findings.ts';
import { createTokenizer, type TokenizerKind, type XmlHandler } from '../streams/iso20022/xml/tokenizer.ts';
import type { Bench } from './run.ts';
import { camt053, camt054, pacs008 } from './fixtures.ts';

interface Case {
  readonly name: string;
  readonly xml: string;
  readonly bytes: number;
  /** What the full read must report, checked once before timing (an honest full path). */
  readonly check: (r: ReadResult) => string | null;
}

type Impl = { readonly name: string; readonly fn: (xml: string) => number };

const noop = (): void => {};

function bareSaxes(xml: string): number {
  const p = new SaxesParser({ xmlns: false });
  p.on('opentag', noop);
  p.on('text', noop);
  p.on('closetag', noop);
  p.write(xml).close();
  return 1;
}

const NOOP_HANDLER: XmlHandler = { open: noop, text: noop, close: noop, doctype: noop };

function bareFast(xml: string): number {
  const t = createTokenizer('fast', NOOP_HANDLER);
  t.write(xml);
  t.close();
  return 1;
}

function full(tokenizer: TokenizerKind) {
  return (xml: string): number => {
    const results = readBuffer(xml, { keepRecords: false, tokenizer });
    return results.length;
  };
}

const IMPLS: readonly Impl[] = [
  { name: 'saxes-bare', fn: bareSaxes },
  { name: 'fast-bare', fn: bareFast },
  { name: 'deltran-saxes', fn: full('saxes') },
  { name: 'deltran-fast', fn: full('fast') },
  { name: 'deltran-sax', fn: full('sax') },
];

function cases(): Case[] {
  const entries = (n: number) => (r: ReadResult) =>
    (r.summary as { entries?: number } | null)?.entries === n ? null : `expected ${n} entries, got ${JSON.stringify(r.summary)}`;
  const list = [
    { name: 'camt.054', xml: camt054(), check: entries(1) },
    { name: 'camt.053x200', xml: camt053(200), check: entries(200) },
    {
      name: 'pacs.008',
      xml: pacs008(),
      check: (r: ReadResult) =>
        (r.summary as { transactions?: number } | null)?.transactions === 1 ? null : `expected 1 transaction, got ${JSON.stringify(r.summary)}`,
    },
  ];
  return list.map((c) => ({ ...c, bytes: Buffer.byteLength(c.xml) }));
}

/** Runs fn for about `ms` milliseconds; returns [messages, elapsed ms]. */
function timed(fn: (xml: string) => number, xml: string, ms: number, sink: { n: number }): [number, number] {
  // Batches keep performance.now() out of the per-message cost for small messages.
  const t0 = performance.now();
  let n = 0;
  let batch = 1;
  let now = t0;
  while (now - t0 < ms) {
    for (let i = 0; i < batch; i++) sink.n += fn(xml);
    n += batch;
    now = performance.now();
    if (now - t0 < ms / 20) batch *= 2;
  }
  return [n, now - t0];
}

const bench: Bench = {
  description: 'bare saxes and fast vs deltran full read+validate (saxes, fast, sax) on camt.054, camt.053x200, pacs.008',
  run(args) {
    const seconds = Number(args[0] ?? '1.5');
    const all = cases();
    for (const c of all) {
      for (const tokenizer of ['saxes', 'fast', 'sax'] as const) {
        const results = readBuffer(c.xml, { keepRecords: false, tokenizer });
        const r = results[0];
        const problem = results.length !== 1 || r === undefined ? `${results.length} results` : c.check(r);
        if (problem !== null) throw new Error(`${c.name} (${tokenizer}): ${problem}`);
        if (!r!.ok) console.error(`${c.name} (${tokenizer}) has errors: ${r!.findings.map(formatFinding).join('; ')}`);
      }
    }
    const sink = { n: 0 };
    // Warm-up: every path, long enough for the optimizing compiler to settle.
    for (let w = 0; w < 2; w++) for (const c of all) for (const impl of IMPLS) timed(impl.fn, c.xml, 150, sink);
    const rounds = 3;
    const totals = new Map<string, { n: number; ms: number }>();
    for (let round = 0; round < rounds; round++) {
      for (const c of all) {
        for (const impl of IMPLS) {
          const [n, ms] = timed(impl.fn, c.xml, (seconds * 1000) / rounds, sink);
          const key = `${c.name}\0${impl.name}`;
          const t = totals.get(key) ?? { n: 0, ms: 0 };
          totals.set(key, { n: t.n + n, ms: t.ms + ms });
        }
      }
    }
    for (const c of all) {
      const rate = (impl: string) => {
        const t = totals.get(`${c.name}\0${impl}`)!;
        return t.n / (t.ms / 1000);
      };
      const bare = rate('saxes-bare');
      for (const impl of IMPLS) {
        const r = rate(impl.name);
        console.log(
          JSON.stringify({
            case: c.name,
            impl: impl.name,
            msgs_per_s: Math.round(r),
            mb_per_s: Number(((r * c.bytes) / 1e6).toFixed(1)),
            ratio_to_bare_tokenizer: Number((r / bare).toFixed(3)),
            bytes: c.bytes,
            node: process.version,
          }),
        );
      }
    }
    if (sink.n === 0) console.error('nothing ran');
  },
};

export default bench;
