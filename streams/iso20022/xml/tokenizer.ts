// The seam between deltran and an XML tokenizer. Both `saxes` (the default: ~3x faster, stricter
// on well-formedness) and `sax` (selectable with DELTRAN_XML_TOKENIZER=sax) are driven in
// non-namespace mode and report the same four things: an element opens (qualified name and raw
// attributes), text, an element closes, a DOCTYPE. Namespaces are resolved by the framing layer,
// which only needs them for the few elements that carry a version (Document, AppHdr); that keeps
// the per-element cost low and tolerates undeclared prefixes, which real files contain.

import sax from 'sax';
import { SaxesParser } from 'saxes';

export type TokenizerKind = 'saxes' | 'sax';

export interface XmlHandler {
  open(qname: string, attrs: Record<string, string>): void;
  text(text: string): void;
  close(qname: string): void;
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
const FROM_ENV: TokenizerKind = process.env['DELTRAN_XML_TOKENIZER'] === 'sax' ? 'sax' : 'saxes';

/** The tokenizer selected by DELTRAN_XML_TOKENIZER when the process started. */
export function tokenizerKindFromEnv(): TokenizerKind {
  return FROM_ENV;
}

export function createTokenizer(kind: TokenizerKind, handler: XmlHandler): Tokenizer {
  return kind === 'sax' ? saxTokenizer(handler) : saxesTokenizer(handler);
}

function saxesTokenizer(handler: XmlHandler): Tokenizer {
  const parser = new SaxesParser({ xmlns: false, position: true });
  parser.on('opentag', (tag) => handler.open(tag.name, tag.attributes as Record<string, string>));
  parser.on('text', (text) => handler.text(text));
  parser.on('cdata', (text) => handler.text(text));
  parser.on('closetag', (tag) => handler.close(tag.name));
  parser.on('doctype', () => handler.doctype());
  parser.on('error', (err) => {
    // saxes prefixes the message with "line:column: "; keep the rule, move the position apart.
    const rule = err.message.replace(/^[^:]*?:?\d+:\d+: /, '');
    throw new XmlSyntaxError(rule, parser.line, parser.column);
  });
  return {
    kind: 'saxes',
    write: (text) => void parser.write(text),
    close: () => void parser.close(),
  };
}

function saxTokenizer(handler: XmlHandler): Tokenizer {
  const parser = sax.parser(true, { xmlns: false, position: true, trim: false, normalize: false });
  parser.onopentag = (tag) => handler.open(tag.name, tag.attributes as Record<string, string>);
  parser.ontext = (text) => handler.text(text);
  parser.oncdata = (text) => handler.text(text);
  parser.onclosetag = (name) => handler.close(name);
  parser.ondoctype = () => handler.doctype();
  parser.onerror = (err) => {
    const rule = err.message.split('\n')[0] ?? err.message;
    throw new XmlSyntaxError(rule, parser.line + 1, parser.column + 1);
  };
  return {
    kind: 'sax',
    write: (text) => void parser.write(text),
    close: () => void parser.close(),
  };
}
