// The seam between deltran and an XML tokenizer. Three sit behind it, chosen with
// DELTRAN_XML_TOKENIZER when the process starts: `fast` (the default), deltran's own strict XML 1.0
// tokenizer (fast-tokenizer.ts, about 2-3x the speed of saxes); `saxes`, whose answers `fast`
// reproduces (same events, same well-formedness errors and messages; the parity tests hold them
// to it); and `sax`, laxer, kept selectable. All are driven in non-namespace mode and report the
// same four things: an element opens (qualified name and raw attributes), text, an element closes,
// a DOCTYPE. Namespaces are resolved by the framing layer, which only needs them for the few
// elements that carry a version (Document, AppHdr); that keeps the per-element cost low and
// tolerates undeclared prefixes, which real files contain.

import sax from 'sax';
import { SaxesParser } from 'saxes';
import { DEFAULT_LIMITS, FrameLimitError } from '../framing.ts';
import { FastTokenizer } from './fast-tokenizer.ts';

export type TokenizerKind = 'fast' | 'saxes' | 'sax';

/**
 * An opening tag as the tokenizers hand it over: qualified name and raw attributes. The tag object
 * itself may be reused for the next element (fast does); the attributes object never is, as the
 * framer keeps it in its tree (an element without attributes may get a shared frozen empty one).
 */
export interface OpenTag {
  readonly name: string;
  readonly attributes: Record<string, string>;
}

export interface XmlHandler {
  open(tag: OpenTag): void;
  text(text: string): void;
  /** The argument differs between tokenizers (a name or a tag) and is not used. */
  close(): void;
  doctype(): void;
}

export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** Feeds text. Throws XmlSyntaxError when the input is not well-formed. */
  write(text: string): void;
  /** Signals the end of input. Throws XmlSyntaxError when elements are left open. */
  close(): void;
}

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

// Read once: process.env is a slow accessor, and a reader is created per message.
const FROM_ENV: TokenizerKind = kindOf(process.env['DELTRAN_XML_TOKENIZER']);

function kindOf(name: string | undefined): TokenizerKind {
  return name === 'sax' || name === 'saxes' ? name : 'fast';
}

/** The tokenizer selected by DELTRAN_XML_TOKENIZER when the process started. */
export function tokenizerKindFromEnv(): TokenizerKind {
  return FROM_ENV;
}

/** Attributes accepted on one element; ISO 20022 elements carry one or two, wrappers a few xmlns. */
export const ATTRIBUTES_MAX = 10_000;

/**
 * `bufferMax` bounds what a tokenizer may hold for one unfinished token (a text run, a comment, an
 * attribute value, a name): without it saxes buffers a never-ending text node whole, so a hostile
 * stream could grow the heap without limit. The reader passes its frame limit `textCharsMax`.
 */
export function createTokenizer(kind: TokenizerKind, handler: XmlHandler, bufferMax: number = DEFAULT_LIMITS.textCharsMax): Tokenizer {
  if (kind === 'fast') return new FastTokenizer(handler, bufferMax);
  return kind === 'sax' ? new SaxTokenizer(handler) : new SaxesTokenizer(handler, bufferMax);
}

function tooLarge(what: string, max: number): FrameLimitError {
  return new FrameLimitError('XML_TOO_LARGE', `more than ${max} ${what}`);
}

/** The saxes fields holding an unfinished token (private in its typings, stable since saxes 5). */
interface SaxesBuffers {
  readonly text?: string;
  readonly name?: string;
  readonly entity?: string;
  readonly piTarget?: string;
  readonly attribList?: readonly unknown[];
}

// Classes rather than object literals of arrow functions: a reader (and so a tokenizer) is created
// per message, and methods on the prototype cost nothing per instance.
class SaxesTokenizer implements Tokenizer {
  readonly kind = 'saxes';
  private readonly parser: SaxesParser;

  constructor(
    handler: XmlHandler,
    private readonly bufferMax: number,
  ) {
    const parser = new SaxesParser({ xmlns: false, position: true });
    this.parser = parser;
    // Bound methods, not wrapping arrows: one call less per token.
    const text = handler.text.bind(handler);
    parser.on('opentag', handler.open.bind(handler) as (tag: unknown) => void);
    parser.on('text', text);
    parser.on('cdata', text);
    parser.on('closetag', handler.close.bind(handler) as (tag: unknown) => void);
    parser.on('doctype', () => handler.doctype());
    parser.on('error', (err) => {
      // saxes prefixes the message with "line:column: "; keep the rule, move the position apart.
      const rule = err.message.replace(/^[^:]*?:?\d+:\d+: /, '');
      throw new XmlSyntaxError(rule, parser.line, parser.column);
    });
  }

  write(text: string): void {
    this.parser.write(text);
    // saxes keeps an unfinished token whole until it ends; once per chunk, see that it stays bounded.
    const b = this.parser as unknown as SaxesBuffers;
    const max = this.bufferMax;
    if ((b.text?.length ?? 0) > max) throw tooLarge('characters in one text, comment or attribute value', max);
    if ((b.name?.length ?? 0) > max || (b.piTarget?.length ?? 0) > max || (b.entity?.length ?? 0) > max) {
      throw tooLarge('characters in one name', max);
    }
    if ((b.attribList?.length ?? 0) > ATTRIBUTES_MAX) throw tooLarge('attributes on one element', ATTRIBUTES_MAX);
  }

  close(): void {
    this.parser.close();
  }
}

/**
 * sax is laxer than saxes; two gaps that change how a file is framed are closed here, so both
 * tokenizers split an input into the same results: a second root element and an input without any
 * element are not well-formed. (sax still accepts what saxes refuses inside a well-framed document:
 * duplicate attributes, `<` in attribute values, control characters, `]]>` in text.) sax bounds its
 * own buffers at 64 KB and reports that as an error, mapped to XML_TOO_LARGE like saxes' limit.
 */
class SaxTokenizer implements Tokenizer {
  readonly kind = 'sax';
  private readonly parser: sax.SAXParser;
  private depth = 0;
  private sawRoot = false;
  private attributes = 0;

  // sax flushes long text in pieces (the framer bounds it) and caps its other buffers itself.
  constructor(handler: XmlHandler) {
    const parser = sax.parser(true, { xmlns: false, position: true, trim: false, normalize: false });
    this.parser = parser;
    const syntax = (rule: string) => new XmlSyntaxError(rule, parser.line + 1, parser.column + 1);
    parser.onattribute = () => {
      if (++this.attributes > ATTRIBUTES_MAX) throw tooLarge('attributes on one element', ATTRIBUTES_MAX);
    };
    parser.onopentag = (tag) => {
      this.attributes = 0;
      if (this.depth++ === 0) {
        if (this.sawRoot) throw syntax('documents may contain only one root');
        this.sawRoot = true;
      }
      handler.open(tag as OpenTag);
    };
    parser.ontext = (text) => handler.text(text);
    parser.oncdata = (text) => handler.text(text);
    parser.onclosetag = () => {
      this.depth--;
      handler.close();
    };
    parser.ondoctype = () => handler.doctype();
    parser.onerror = (err) => {
      const rule = err.message.split('\n')[0] ?? err.message;
      if (rule.startsWith('Max buffer length exceeded')) {
        throw new FrameLimitError('XML_TOO_LARGE', `${rule} (sax holds at most 64 K characters of one comment, attribute value or name)`);
      }
      throw syntax(rule);
    };
  }

  write(text: string): void {
    this.parser.write(text);
  }

  close(): void {
    this.parser.close();
    if (!this.sawRoot) throw new XmlSyntaxError('document must contain a root element', this.parser.line + 1, this.parser.column + 1);
  }
}
