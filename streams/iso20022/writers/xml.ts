// A tiny XML builder for the messages deltran sends. ISO 20022 documents are plain element trees
// (no mixed content, no comments, one default namespace on Document), so a tree of elements plus
// one renderer is all we need, and owning it keeps escaping in one reviewed place instead of being
// spread over string templates. Money is formatted here too, so every amount that leaves deltran
// goes through money.ts `formatAmount` and is refused, as a value, when it does not fit its currency.

import BigNumber from 'bignumber.js';
import { finding, type Finding } from '../findings.ts';
import { formatAmount, minorUnits } from '../money.ts';

/** What every writer returns: the document, or everything that stopped it (never an exception). */
export type WriteResult =
  | { readonly ok: true; readonly xml: string }
  | { readonly ok: false; readonly errors: readonly Finding[] };

export interface WriteOptions {
  /** Indent unit for human-readable output (e.g. '  '); compact when absent. */
  readonly indent?: string;
}

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Text of a leaf element; ISO 20022 has no mixed content, so an element has text or children. */
  readonly text?: string;
}

/** Absent optional elements are written as undefined/false, so a builder reads like the XSD sequence. */
export type XmlChild = XmlElement | undefined | false | readonly XmlChild[];

// Element names are literals in the writers; a bad one is a programming error, not bad input.
const NAME = /^[A-Za-z_][\w.-]*$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new TypeError(`not an XML element or attribute name: ${JSON.stringify(name)}`);
}

export function el(name: string, ...children: XmlChild[]): XmlElement {
  checkName(name);
  const out: XmlElement[] = [];
  const flatten = (c: XmlChild): void => {
    if (c === undefined || c === false) return;
    if (Array.isArray(c)) for (const x of c as readonly XmlChild[]) flatten(x);
    else out.push(c as XmlElement);
  };
  for (const c of children) flatten(c);
  return { name, attrs: {}, children: out };
}

export function leaf(name: string, text: string, attrs: Readonly<Record<string, string>> = {}): XmlElement {
  checkName(name);
  for (const a of Object.keys(attrs)) checkName(a);
  return { name, attrs, children: [], text };
}

/** A leaf only when the value is present. */
export function optLeaf(name: string, text: string | undefined): XmlElement | undefined {
  return text === undefined ? undefined : leaf(name, text);
}

// XML 1.0 `Char`: these cannot be written at all, not even as character references, so they are
// refused rather than silently dropped (a changed name on a payment is worse than a refusal).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Why a string cannot be XML text (the first offending character), or undefined when it can. */
export function xmlCharProblem(s: string): string | undefined {
  const m = NOT_XML_CHAR.exec(s);
  if (m === null) return undefined;
  const cp = m[0].codePointAt(0)!;
  return `character U+${cp.toString(16).toUpperCase().padStart(4, '0')} at offset ${m.index} cannot appear in an XML 1.0 document`;
}

/** Text content: `&` and `<` must be escaped; `>` too so `]]>` can never appear; CR is kept as a reference because parsers turn a raw CR into LF. */
export function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

/** Attribute values: quotes of both kinds, and TAB/LF/CR, which attribute normalization would turn into spaces. */
export function escapeAttr(s: string): string {
  return s.replace(/[&<>"'\t\n\r]/g, (c) => ATTR_ESCAPES[c]!);
}

const ATTR_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * Renders `<?xml ...?><Document xmlns="namespace">root</Document>`. Writers check their input
 * first (with input paths); this last check on characters is the safety net for any text a writer
 * did not check, reported with its element path.
 */
export function renderDocument(namespace: string, root: XmlElement, options: WriteOptions = {}): WriteResult {
  const errors: Finding[] = [];
  const parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const indent = options.indent;
  const nl = indent === undefined ? '' : '\n';
  parts.push(`${nl}<Document xmlns="${escapeAttr(namespace)}">`);
  const write = (e: XmlElement, depth: number, path: string): void => {
    const pad = indent === undefined ? '' : '\n' + indent.repeat(depth);
    let open = `<${e.name}`;
    for (const [k, v] of Object.entries(e.attrs)) {
      const bad = xmlCharProblem(v);
      if (bad !== undefined) errors.push(finding('XML_MALFORMED', `${path}/@${k}`, bad));
      open += ` ${k}="${escapeAttr(v)}"`;
    }
    if (e.text !== undefined) {
      const bad = xmlCharProblem(e.text);
      if (bad !== undefined) errors.push(finding('XML_MALFORMED', path, bad));
      parts.push(`${pad}${open}>${escapeText(e.text)}</${e.name}>`);
      return;
    }
    if (e.children.length === 0) {
      parts.push(`${pad}${open}/>`);
      return;
    }
    parts.push(`${pad}${open}>`);
    const seen = new Map<string, number>();
    for (const c of e.children) {
      const i = seen.get(c.name) ?? 0;
      seen.set(c.name, i + 1);
      write(c, depth + 1, `${path}/${c.name}[${i}]`);
    }
    parts.push(`${pad}</${e.name}>`);
  };
  write(root, 1, root.name);
  parts.push(`${nl}</Document>${nl}`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, xml: parts.join('') };
}

/** The ISO 20022 namespace of a message identifier such as `pacs.008.001.08`. */
export function isoNamespace(messageId: string): string {
  return `urn:iso:std:iso:20022:tech:xsd:${messageId}`;
}

// Every amount type in these schemas: xs:decimal, totalDigits 18, fractionDigits 5, minInclusive 0.
const TOTAL_DIGITS = 18;
const CURRENCY = /^[A-Z]{3}$/;

/** An active ISO 4217 code, in capitals (currency-codes would also accept `eur`; the schema does not). */
export function isWritableCurrency(currency: unknown): currency is string {
  return typeof currency === 'string' && CURRENCY.test(currency) && minorUnits(currency) !== undefined;
}

export type MoneyResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly errors: readonly Finding[] };

/**
 * An amount as the element text: exactly the currency's minor units ("1200.50", "79255" for JPY,
 * "12.345" for BHD). Refused: an unknown currency (money.ts would fall back to 2 decimals, which
 * is fine for display but not for a message we send), a value that is not a finite bignumber.js
 * decimal (a JS number has already lost the exactness we owe the amount), a negative value (the
 * sign of a booking travels in CdtDbtInd, never in the amount), more decimals than the currency
 * has (rounding would change the money), and more than the schema's 18 digits.
 */
export function formatMoney(value: unknown, currency: unknown, path: string): MoneyResult {
  const errors: Finding[] = [];
  const ccyPath = `${path}.currency`;
  if (currency === undefined || currency === '') {
    errors.push(finding('REQUIRED_MISSING', ccyPath, 'the currency is missing'));
  } else if (!isWritableCurrency(currency)) {
    errors.push(finding('CURRENCY_UNKNOWN', ccyPath, `${JSON.stringify(currency)} is not an active ISO 4217 currency code`));
  }
  if (value === undefined || value === null) {
    errors.push(finding('REQUIRED_MISSING', path, 'the amount is missing'));
    return { ok: false, errors };
  }
  if (!BigNumber.isBigNumber(value)) {
    errors.push(finding('AMOUNT_FORMAT', path, `the amount must be a bignumber.js BigNumber, not ${typeof value}`));
    return { ok: false, errors };
  }
  const v = value as BigNumber;
  if (!v.isFinite()) {
    errors.push(finding('AMOUNT_FORMAT', path, `${v.toString()} is not a finite amount`));
    return { ok: false, errors };
  }
  if (v.isNegative() && !v.isZero()) {
    errors.push(finding('AMOUNT_FORMAT', path, `${v.toFixed()} is negative; amounts are unsigned, the direction says credit or debit`));
  }
  if (errors.length > 0) return { ok: false, errors };
  const ccy = currency as string;
  const digits = minorUnits(ccy)!;
  const places = v.decimalPlaces() ?? 0;
  if (places > digits) {
    errors.push(finding('AMOUNT_PRECISION', path, `${v.toFixed()} has ${places} decimals; ${ccy} has ${digits}`));
    return { ok: false, errors };
  }
  // totalDigits counts the digits of the canonical value (no padding zeros), as sd(true) does.
  if (v.sd(true) > TOTAL_DIGITS) {
    errors.push(finding('AMOUNT_FORMAT', path, `${v.toFixed()} has more than ${TOTAL_DIGITS} digits`));
    return { ok: false, errors };
  }
  // abs() turns -0 into 0; negatives were refused above.
  return { ok: true, text: formatAmount(v.abs(), ccy) };
}
