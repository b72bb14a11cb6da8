// The fast tokenizer (the default) is held to saxes, whose answers it reproduces: the same events
// (opens with their attributes, texts, closes, DOCTYPEs) and the same end (accepted, or refused with
// the same rule at the same line and column), for whole inputs and for inputs cut anywhere into
// chunks. Cases: the shared corpus, a table of well-formedness rules, documents generated from a
// small grammar of every construct, and random mutations of real samples. Where fast deliberately
// differs from saxes, the test says so.

import test, { type ExecutionContext } from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { FrameLimitError } from '../../../../streams/iso20022/framing.ts';
import { readBuffer, readStream } from '../../../../streams/iso20022/reader.ts';
import {
  ATTRIBUTES_MAX,
  createTokenizer,
  tokenizerKindFromEnv,
  XmlSyntaxError,
  type OpenTag,
  type TokenizerKind,
  type XmlHandler,
} from '../../../../streams/iso20022/xml/tokenizer.ts';
import { SAMPLES, sample } from '../../../helpers/shared.ts';

type Event = readonly unknown[];

/** What a tokenizer reports for `chunks`, ending with ['ok'], ['error', rule, line, column] or ['limit', code]. */
function events(kind: TokenizerKind, chunks: readonly string[], bufferMax = 1 << 20): Event[] {
  const out: Event[] = [];
  const handler: XmlHandler = {
    open: (tag: OpenTag) => out.push(['open', tag.name, { ...tag.attributes }]),
    text: (text: string) => out.push(['text', text]),
    close: () => out.push(['close']),
    doctype: () => out.push(['doctype']),
  };
  const tokenizer = createTokenizer(kind, handler, bufferMax);
  try {
    for (const chunk of chunks) tokenizer.write(chunk);
    tokenizer.close();
    out.push(['ok']);
  } catch (err) {
    if (err instanceof XmlSyntaxError) out.push(['error', err.message, err.line, err.column]);
    else if (err instanceof FrameLimitError) out.push(['limit', err.code]);
    else throw err;
  }
  return out;
}

/** t.deepEqual, with ava's (slow) comparison only to show a difference: event lists are long. */
function same(t: ExecutionContext, actual: unknown, expected: unknown, label: string): void {
  if (isDeepStrictEqual(actual, expected)) t.pass();
  else t.deepEqual(actual, expected, label);
}

const accepted = (evs: readonly Event[]) => evs[evs.length - 1]![0] === 'ok';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** `text` cut at random points into chunks of 1 to 2×average code units (surrogate pairs may be cut). */
function chunks(text: string, rnd: () => number, average: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(rnd() * average * 2);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

/** `text` in chunks of `size` code units. */
function fixed(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const corpus = readdirSync(SAMPLES).flatMap((dir) => readdirSync(join(SAMPLES, dir)).map((f) => join(dir, f)));
const texts = new Map(corpus.map((f) => [f, readFileSync(join(SAMPLES, f), 'utf8')]));

test('fast is the default tokenizer; saxes and sax stay selectable', (t) => {
  if (process.env['DELTRAN_XML_TOKENIZER'] === undefined) t.is(tokenizerKindFromEnv(), 'fast');
  const none: XmlHandler = { open: () => {}, text: () => {}, close: () => {}, doctype: () => {} };
  for (const kind of ['fast', 'saxes', 'sax'] as const) t.is(createTokenizer(kind, none).kind, kind);
});

test('corpus: every sample gives the events saxes gives', (t) => {
  t.true(corpus.length >= 113);
  for (const [file, xml] of texts) {
    const expected = events('saxes', [xml]);
    t.true(accepted(expected), `${file} is well-formed`);
    same(t, events('fast', [xml]), expected, file);
  }
});

test('corpus, chunked: every sample cut at random points (3 seeds) gives the events of the whole input', (t) => {
  for (const [file, xml] of texts) {
    const expected = events('saxes', [xml]);
    for (const [seed, average] of [
      [1, 3],
      [2, 25],
      [3, 700],
    ] as const) {
      same(t, events('fast', chunks(xml, random(seed), average)), expected, `${file}, seed ${seed}`);
    }
  }
});

test('corpus, one code unit at a time: surrogate pairs, CR LF and entities cut in the middle', (t) => {
  const files = ['camt.053/postfinance-camt053-v08-2020.xml', 'pacs.008/cbpr-pacs008-v08-c10511-AtoB.xml'];
  const inputs = files.flatMap((f) => {
    const xml = texts.get(f)!;
    // Windows line ends, an astral character and entities in text and in an attribute.
    const crlf = xml.replace(/\r?\n/g, '\r\n').replace(/<(\w+:)?Nm>/, '<$1Nm>\u{1F600} &amp; &#x1F4B6;&#65; ');
    return [xml, crlf.replace(/<(\w+:)?Nm>/, '<$1Nm a="x&lt;y\r\nz">')];
  });
  for (const xml of inputs) {
    const expected = events('saxes', [xml]);
    t.true(accepted(expected));
    same(t, events('fast', xml.split('')), expected, 'one code unit at a time');
  }
});

/** [label, document, accepted by saxes]. */
const RULES: readonly (readonly [string, string, boolean])[] = [
  ['one empty root', '<a/>', true],
  ['mismatched end tag', '<a><b></a></b>', false],
  ['unclosed element', '<a><b></b>', false],
  ['end tag without start', '<a></a></a>', false],
  ['end tag before any element', '</a>', false],
  ['empty end tag', '<a></></a>', false],
  ['second root', '<a/><b/>', false],
  ['no root', '<?xml version="1.0"?>\n<!-- nothing -->\n', false],
  ['empty input', '', false],
  ['text before the root', 'x<a/>', false],
  ['text after the root', '<a/>x', false],
  ['whitespace around the root', ' \r\n\t<a/>\r\n ', true],
  ['an entity outside the root', '<a/>&amp;', false],
  ['CDATA outside the root', '<![CDATA[x]]><a/>', false],
  ['predefined entities', '<a b="&lt;&gt;&amp;&quot;&apos;">&lt;&gt;&amp;&quot;&apos;</a>', true],
  ['character references', '<a>&#65;&#x42;&#x1F600;&#9;&#xD;</a>', true],
  ['a character reference to a disallowed character', '<a>&#0;</a>', false],
  ['a character reference to a surrogate', '<a>&#xD800;</a>', false],
  ['a character reference beyond Unicode', '<a>&#x110000;</a>', false],
  ['a capital X in a hex reference', '<a>&#X41;</a>', false],
  ['an undefined entity', '<a>&nbsp;</a>', false],
  ['an entity without its semicolon', '<a>&amp</a>', false],
  ['an empty entity', '<a>&;</a>', false],
  ['a bare ampersand', '<a>fish & chips</a>', false],
  ['< in an attribute value', '<a b="<"/>', false],
  ['> and ]]> in an attribute value', '<a b="x>]]>"/>', true],
  ['duplicate attributes', '<a b="1" b="2"/>', false],
  ['attributes named like Object.prototype members', '<a constructor="1" __proto__="2" toString="3"/>', true],
  ['no space between attributes', '<a b="1"c="2"/>', false],
  ['attribute without value', '<a b/>', false],
  ['unquoted attribute value', '<a b=1/>', false],
  ['spaces around =', '<a b = \'1\' />', true],
  ['tabs and line ends in attribute values', '<a b="x\ty\nz\r\nw\rv"/>', true],
  ['a name starting with a digit', '<1a/>', false],
  ['a name starting with -', '<-a/>', false],
  ['non-ASCII names', '<é xmlns:ü="u" ü:ß="1"><ü:名前/></é>', true],
  ['colons anywhere in names (no namespaces)', '<:a b:c:d="1"/>', true],
  ['space after <', '< a/>', false],
  ['space before > in an end tag', '<a></a \n>', true],
  [']]> in text', '<a>x]]>y</a>', false],
  [']]]> in text', '<a>]]]></a>', false],
  ['] ]> in text', '<a>] ]></a>', true],
  ['a control character in text', '<a>\u0001</a>', false],
  ['a control character in a name', '<a\u0002/>', false],
  ['a control character in a comment', '<a><!--\u0003--></a>', false],
  ['U+FFFE', '<a>\uFFFE</a>', false],
  ['a lone low surrogate', '<a>\uDC00</a>', false],
  ['an astral character', '<a b="\u{1F600}">\u{1F600}</a>', true],
  ['a comment with --', '<a><!-- x -- y --></a>', false],
  ['a comment ending with --->', '<a><!-- x ---></a>', false],
  ['an unfinished comment', '<a><!-- x </a>', false],
  ['a comment and a PI around the root', '<!--x--><?p y?><a/><!--z--><?q?>', true],
  ['a PI without a target', '<a><? x?></a>', false],
  ['a PI named xml', '<a><?xml x?></a>', false],
  ['a PI named XML', '<a><?XML x?></a>', false],
  ['CDATA, empty CDATA and ]] inside', '<a><![CDATA[<&>]]><![CDATA[]]><![CDATA[x]]]]></a>', true],
  ['an unfinished CDATA section', '<a><![CDATA[x]]</a>', false],
  ['a misspelt CDATA section', '<a><![CDAT[x]]></a>', false],
  ['the XML declaration', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><a/>', true],
  ['an XML declaration after whitespace', ' <?xml version="1.0"?><a/>', false],
  ['an XML declaration after the root', '<a/><?xml version="1.0"?>', false],
  ['an XML declaration without version', '<?xml encoding="UTF-8"?><a/>', false],
  ['version 2.0', '<?xml version="2.0"?><a/>', false],
  ['attributes of the declaration out of order', '<?xml version="1.0" standalone="yes" encoding="UTF-8"?><a/>', false],
  ['a BOM, then the declaration', '\uFEFF<?xml version="1.0"?><a/>', true],
  ['version 1.1: NEL and LS are line ends', '<?xml version="1.1"?><a b="x\u0085y">1\r\u00852\u20283</a>', true],
  ['version 1.1: C1 controls are disallowed', '<?xml version="1.1"?><a>\u0080</a>', false],
  ['version 1.0: C1 controls are characters', '<?xml version="1.0"?><a>\u0080\u0085</a>', true],
  ['a DOCTYPE', '<!DOCTYPE a [<!ENTITY e "v"> <!-- c --> <?p?>]><a/>', true],
  ['a DOCTYPE after the root', '<a/><!DOCTYPE a>', false],
  ['two DOCTYPEs', '<!DOCTYPE a><!DOCTYPE a><a/>', false],
  ['<! followed by anything else', '<a><!ELEMENT></a>', false],
];

test('well-formedness: each rule is kept or broken as saxes keeps or breaks it, with the same error at the same place', (t) => {
  for (const [label, xml, ok] of RULES) {
    const expected = events('saxes', [xml]);
    t.is(accepted(expected), ok, `saxes: ${label}`);
    same(t, events('fast', [xml]), expected, label);
    same(t, events('fast', xml.split('')), events('saxes', xml.split('')), `${label}, one code unit at a time`);
  }
});

test('decoding: entities and character references in text and attributes, attribute values normalised as saxes does', (t) => {
  const evs = events('fast', ['<a b="1&#9;2\t3\n4\r\n5\r6&#10;7&amp;&lt;" c=\'"\'>x&#x1F600;&lt;y\r\nz\rw<![CDATA[&amp;\r\n]]></a>']);
  t.deepEqual(evs, [
    // A tab or line end written as such becomes a space; written as a reference it stays.
    ['open', 'a', { b: '1\t2 3 4 5 6\n7&<', c: '"' }],
    ['text', 'x\u{1F600}<y\nz\nw'],
    ['text', '&amp;\n'],
    ['close'],
    ['ok'],
  ]);
});

test('limits: an unfinished token longer than bufferMax is XML_TOO_LARGE exactly when saxes says so, however chunked', (t) => {
  const long = 'a'.repeat(150);
  const inputs = [
    `<r>${long}</r>`,
    `<r/>${' '.repeat(150)}`,
    `<r><!--${long}--></r>`,
    `<r><![CDATA[${long}]]></r>`,
    `<r a="${long}"/>`,
    `<r${long}/>`,
    `<r ${long}="1"/>`,
    `<r></r${long}>`,
    `<r>&${long};</r>`,
    `<r><?p${long}?></r>`,
    `<r><?p ${long}?></r>`,
    `<!DOCTYPE r [${long}]><r/>`,
    `<r${' '.repeat(500)}/>`,
  ];
  for (const xml of inputs) {
    for (const size of [1, 7, 40, 1000]) {
      const parts = fixed(xml, size);
      same(t, events('fast', parts, 100), events('saxes', parts, 100), `${xml.slice(0, 12)}… in chunks of ${size}`);
    }
  }
  t.deepEqual(events('fast', [`<r>${long}`], 100).at(-1), ['limit', 'XML_TOO_LARGE']);
});

test('the attributes object is the element\'s own; the tag object around it may be reused', (t) => {
  const seen: OpenTag['attributes'][] = [];
  const tokenizer = createTokenizer('fast', {
    open: (tag) => seen.push(tag.attributes),
    text: () => {},
    close: () => {},
    doctype: () => {},
  });
  tokenizer.write('<a x="1"><b x="2"/><c/><d/></a>');
  tokenizer.close();
  t.deepEqual(seen.map((a) => ({ ...a })), [{ x: '1' }, { x: '2' }, {}, {}]);
  t.not(seen[0], seen[1]);
  t.true(Object.isFrozen(seen[2]), 'elements without attributes share one frozen empty object');
  t.is(Object.getPrototypeOf(seen[0]), null, 'no Object.prototype members show through');
});

/** A grammar of every construct, misplaced, broken and cut, to hold fast to saxes on what samples lack. */
function generated(rnd: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const names = ['a', 'b', 'Ntry', 'x:y', '_q', 'é', 'a.b-c', 'ns:Amt'];
  const texts = ['', 'x', ' ', '\n  ', '\r\n', '\r', 'a&amp;b', '&lt;&gt;&quot;&apos;', '&#65;&#x42;', '&#x1F600;', '\u{1F600}', ']]', ']', ']]>', 'a]b>c', '&#0;', '&nope;', '& x;', '\t', '\u0001', '\u0085\u2028', '\u0080', '\uFFFE', '<![CDATA[x]]y]]]>', '<![CDATA[]]>', '<!-- c -->', '<!-- -- -->', '<?pi x?>', '<?pi?>', '<?xml x?>'];
  const attributes = ['', ' a="1"', " a='1'", ' a="x\ty\nz\r\nw\rq"', ' a="&amp;&#9;&lt;"', ' a="<"', ' a="1" a="2"', ' a="1"b="2"', ' a = "1" ', ' a', ' a=1', ' xmlns="urn:x" xmlns:p="urn:p"', ' a="]]>"', ' a="\u{1F600}"', ' a="\u0001"'];
  const prologs = ['', '<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-8"?>\n', "<?xml version='1.0' encoding='utf-8' standalone='yes'?>", '<?xml version="1.1"?>', '<?xml version="1.00"?>', ' <?xml version="1.0"?>', '<?xml version="1.0"standalone="no"?>', '\uFEFF<?xml version="1.0"?>', '<!DOCTYPE a [<!ENTITY e "v"> <!-- c -->]>', '<!DOCTYPE a SYSTEM "x>y">', '<!-- pre -->', '\n\n', 'x'];
  const epilogs = ['', '\n', ' \r\n', '<!-- post -->', '<?pi post?>', 'x', '<b/>', '</a>', '&amp;'];
  const element = (depth: number): string => {
    const name = pick(names);
    const attrs = rnd() < 0.3 ? pick(attributes) : '';
    if (rnd() < 0.2) return `<${name}${attrs}/>`;
    let inner = '';
    for (let k = depth > 3 ? 0 : Math.floor(rnd() * 4); k > 0; k--) inner += rnd() < 0.5 ? pick(texts) : element(depth + 1);
    if (rnd() < 0.5) inner += pick(texts);
    const end = rnd() < 0.03 ? `</${pick(names)}>` : rnd() < 0.02 ? `</${name} >` : `</${name}>`;
    return `<${name}${attrs}>${inner}${end}`;
  };
  let xml = pick(prologs) + (rnd() < 0.95 ? element(0) : '') + pick(epilogs);
  if (rnd() < 0.3) {
    const at = Math.floor(rnd() * xml.length);
    if (!isLowSurrogate(xml.charCodeAt(at))) {
      xml = rnd() < 0.5 ? xml.slice(0, at) + xml.slice(at + 1) : xml.slice(0, at) + pick(['<', '>', '&', ';', '"', '/', ']', '-', '?', '!']) + xml.slice(at);
    }
  }
  return xml;
}

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
/** A surrogate half without its other half (what a careless mutation could leave). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

test('generated documents: fast gives saxes\' events whole, cut at every single point and one code unit at a time', (t) => {
  const rnd = random(11);
  let kept = 0;
  for (let n = 0; n < 400; n++) {
    const xml = generated(rnd);
    if (LONE_SURROGATE.test(xml)) continue;
    const expected = events('saxes', [xml]);
    if (accepted(expected)) kept++;
    same(t, events('fast', [xml]), expected, JSON.stringify(xml));
    same(t, events('fast', xml.split('')), events('saxes', xml.split('')), `${JSON.stringify(xml)}, one code unit at a time`);
    for (let at = 1; at < xml.length; at++) {
      const parts = [xml.slice(0, at), xml.slice(at)];
      same(t, events('fast', parts), events('saxes', parts), `${JSON.stringify(xml)} cut at ${at}`);
    }
  }
  t.true(kept > 40, `${kept} generated documents are well-formed`);
});

test('mutated samples: accepted by fast iff by saxes, with the same events and the same error, whole and chunked', (t) => {
  const inserts = ['<', '>', '&', ';', '"', "'", '/', '=', ']', '!', '?', '-', ' ', '\r', '\n', '\t', '\u0001', 'x', ':', '#', '[', 'é', '\u{1F600}'];
  const files = [corpus.find((f) => f.startsWith('camt.054'))!, 'pacs.008/cbpr-pacs008-v08-c10511-AtoB.xml', 'camt.053/postfinance-camt053-v08-2020.xml'];
  let both = 0;
  let refused = 0;
  for (const [f, file] of files.entries()) {
    const base = texts.get(file)!;
    const rnd = random(100 + f);
    for (let n = 0; n < 200; n++) {
      let xml = base;
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) {
        // Mostly near markup, where the rules are.
        let at = Math.floor(rnd() * xml.length);
        if (rnd() < 0.7) {
          const mark = xml.indexOf(rnd() < 0.5 ? '<' : '>', at);
          if (mark >= 0) at = mark + Math.floor(rnd() * 3) - 1;
        }
        at = Math.max(0, Math.min(xml.length, at));
        if (isLowSurrogate(xml.charCodeAt(at))) continue;
        const op = Math.floor(rnd() * 5);
        if (op === 0) xml = xml.slice(0, at) + xml.slice(at + 1);
        else if (op === 1) xml = xml.slice(0, at) + inserts[Math.floor(rnd() * inserts.length)]! + xml.slice(at);
        else if (op === 2) xml = xml.slice(0, at) + xml.slice(at, at + 1) + xml.slice(at);
        else if (op === 3) xml = xml.slice(0, at);
        else xml = xml.slice(0, at) + xml.slice(at, at + 1 + Math.floor(rnd() * 8)).repeat(2) + xml.slice(at + 1 + Math.floor(rnd() * 8));
      }
      if (LONE_SURROGATE.test(xml)) continue;
      const expected = events('saxes', [xml]);
      const label = `${file} mutant ${n}`;
      same(t, events('fast', [xml]), expected, label);
      const parts = chunks(xml, rnd, 1 + Math.floor(rnd() * 60));
      const chunked = events('fast', parts);
      same(t, chunked, events('saxes', parts), `${label}, chunked`);
      if (accepted(expected)) {
        both++;
        same(t, chunked, expected, `${label}: chunks change nothing in an accepted document`);
      } else {
        refused++;
      }
    }
  }
  t.true(both > 50 && refused > 200, `${both} mutants accepted, ${refused} refused`);
});

test('deliberate differences: a lone surrogate is refused (saxes pairs it with what follows)', (t) => {
  for (const xml of ['<a>\uD83D</a>', '<a b="\uD800x"/>', '<a>\uD800</a>']) {
    const evs = events('fast', [xml]);
    t.deepEqual(evs.at(-1)!.slice(0, 2), ['error', 'disallowed character.'], JSON.stringify(xml));
  }
  // saxes reads `\uD83D<` as one character, so the end tag became text and the root never closed.
  t.deepEqual(events('saxes', ['<a>\uD83D</a>']).at(-1)!.slice(0, 2), ['error', 'unclosed tag: a']);
});

test(`deliberate differences: more than ${ATTRIBUTES_MAX} attributes on one element are XML_TOO_LARGE, in one chunk or many`, (t) => {
  const many = Array.from({ length: ATTRIBUTES_MAX + 1 }, (_, n) => ` a${n}="1"`).join('');
  const xml = `<r${many}/>`;
  t.deepEqual(events('fast', [xml]).at(-1), ['limit', 'XML_TOO_LARGE']);
  t.deepEqual(events('fast', chunks(xml, random(5), 500)).at(-1), ['limit', 'XML_TOO_LARGE']);
  // saxes' seam sees the attribute list only at the end of a chunk, when the element is unfinished.
  t.deepEqual(events('saxes', [xml]).at(-1), ['ok']);
  t.deepEqual(events('fast', [`<r${many.slice(0, many.lastIndexOf(' '))}/>`]).at(-1), ['ok'], `${ATTRIBUTES_MAX} are fine`);
});

test('the reader gives the same results with fast, whole or streamed in small chunks, as with saxes', async (t) => {
  for (const file of ['camt.053/postfinance-camt053-v08-2020.xml', 'pacs.008/cbpr-pacs008-v08-c10511-AtoB.xml']) {
    const bytes = readFileSync(sample(file));
    const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
    const expected = plain(readBuffer(bytes, { tokenizer: 'saxes' }));
    same(t, plain(readBuffer(bytes, { tokenizer: 'fast' })), expected, file);
    const pieces = async function* (size: number) {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    };
    for (const size of [1, 13, 4096]) same(t, plain(await readStream(pieces(size), { tokenizer: 'fast' })), expected, `${file} in ${size}-byte chunks`);
  }
});
