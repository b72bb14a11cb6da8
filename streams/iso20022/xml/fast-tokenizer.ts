// deltran's own XML tokenizer (DELTRAN_XML_TOKENIZER=fast, the default): strict XML 1.0,
// streaming, non-namespace, reporting the same events and refusing the same inputs as saxes, at a
// fraction of its CPU cost.
//
// It is two machines over one state. The reference machine (the `s*` methods) is saxes' own state
// machine carried over rule by rule and message by message, stripped of what deltran never asks
// for (namespaces, comment/PI events, recovery after an error: deltran stops at the first one). It
// reads one character at a time and is what makes the answers, errors and their positions the same
// as saxes'. The fast path (`fast()`) takes over whenever the reference machine is between tokens
// in text (S_TEXT), and reads text, entity references, start tags with attributes and end tags in
// their common forms with tight charCodeAt loops and slices. It never decides an error: on
// anything it does not handle in full (a control character, `]]>`, a duplicate attribute, a token
// cut by the end of the chunk, a comment ...) it hands over to the reference machine at the state
// saxes would be in at that point, having reported nothing of the unfinished token. So the fast
// path changes speed, never answers; the chunked and fuzz tests hold both to saxes. Neither tracks
// line and column per character: they are computed when an error is thrown, from the chunk being
// read and the position at its start (carried from chunk to chunk), the way saxes counts them.
//
// Deliberate differences from saxes 6:
// - a lone surrogate is a disallowed character (saxes pairs a high surrogate with whatever follows,
//   even a `<`);
// - more than ATTRIBUTES_MAX attributes on one element is XML_TOO_LARGE wherever the element lies
//   (saxes' check in tokenizer.ts sees only an element unfinished at the end of a chunk).

import { FrameLimitError } from '../framing.ts';
import { ATTRIBUTES_MAX, XmlSyntaxError, type Tokenizer, type XmlHandler } from './tokenizer.ts';

const EOC = -1; // end of chunk
const NL_LIKE = -2; // a CR (or CR LF) read as one line end

const TAB = 0x09;
const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BANG = 0x21;
const DQUOTE = 0x22;
const HASH = 0x23;
const AMP = 0x26;
const SQUOTE = 0x27;
const MINUS = 0x2d;
const SLASH = 0x2f;
const SEMICOLON = 0x3b;
const LESS = 0x3c;
const EQUAL = 0x3d;
const GREATER = 0x3e;
const QUESTION = 0x3f;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

// States, numbered as in saxes.
const S_BEGIN = 0;
const S_BEGIN_WHITESPACE = 1;
const S_DOCTYPE = 2;
const S_DOCTYPE_QUOTE = 3;
const S_DTD = 4;
const S_DTD_QUOTED = 5;
const S_DTD_OPEN_WAKA = 6;
const S_DTD_OPEN_WAKA_BANG = 7;
const S_DTD_COMMENT = 8;
const S_DTD_COMMENT_ENDING = 9;
const S_DTD_COMMENT_ENDED = 10;
const S_DTD_PI = 11;
const S_DTD_PI_ENDING = 12;
const S_TEXT = 13;
const S_ENTITY = 14;
const S_OPEN_WAKA = 15;
const S_OPEN_WAKA_BANG = 16;
const S_COMMENT = 17;
const S_COMMENT_ENDING = 18;
const S_COMMENT_ENDED = 19;
const S_CDATA = 20;
const S_CDATA_ENDING = 21;
const S_CDATA_ENDING_2 = 22;
const S_PI_FIRST_CHAR = 23;
const S_PI_REST = 24;
const S_PI_BODY = 25;
const S_PI_ENDING = 26;
const S_XML_DECL_NAME_START = 27;
const S_XML_DECL_NAME = 28;
const S_XML_DECL_EQ = 29;
const S_XML_DECL_VALUE_START = 30;
const S_XML_DECL_VALUE = 31;
const S_XML_DECL_SEPARATOR = 32;
const S_XML_DECL_ENDING = 33;
const S_OPEN_TAG = 34;
const S_OPEN_TAG_SLASH = 35;
const S_ATTRIB = 36;
const S_ATTRIB_NAME = 37;
const S_ATTRIB_NAME_SAW_WHITE = 38;
const S_ATTRIB_VALUE = 39;
const S_ATTRIB_VALUE_QUOTED = 40;
const S_ATTRIB_VALUE_CLOSED = 41;
const S_CLOSE_TAG = 42;
const S_CLOSE_TAG_SAW_WHITE = 43;

// Classes of ASCII code units, one table lookup per character on the fast path.
const NAME_START = 1;
const NAME_CHAR = 2;
const SPACE_CHAR = 4;
/** Ends a run of element text: `<`, `&`, `>` (for `]]>`), CR, disallowed controls. */
const TEXT_STOP = 8;
/** Ends a run of attribute value: `<`, `&`, quotes, TAB, LF, CR, disallowed controls. */
const VALUE_STOP = 16;

const CLASS = new Uint8Array(128);
function mark(codes: Iterable<number>, bits: number): void {
  for (const c of codes) CLASS[c] = CLASS[c]! | bits;
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
mark(
  range(0, 0x1f).filter((c) => c !== TAB && c !== NL && c !== CR),
  TEXT_STOP | VALUE_STOP,
);
mark([SPACE, TAB, NL, CR], SPACE_CHAR);
mark([LESS, AMP, GREATER, CR], TEXT_STOP);
mark([LESS, AMP, DQUOTE, SQUOTE, TAB, NL, CR], VALUE_STOP);
mark([...range(0x41, 0x5a), ...range(0x61, 0x7a), 0x3a, 0x5f], NAME_START | NAME_CHAR); // A-Z a-z : _
mark([...range(0x30, 0x39), 0x2d, 0x2e], NAME_CHAR); // 0-9 - .

// XML 1.0 fifth edition, as xmlchars (saxes' tables) has it.
function isNameStartChar(c: number): boolean {
  if (c < 0x80) return c >= 0 && (CLASS[c]! & NAME_START) !== 0;
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    c === 0x200c ||
    c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0xeffff)
  );
}

function isNameChar(c: number): boolean {
  if (c < 0x80) return c >= 0 && (CLASS[c]! & NAME_CHAR) !== 0;
  return isNameStartChar(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

function isName(s: string): boolean {
  let first = true;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (first ? !isNameStartChar(c) : !isNameChar(c)) return false;
    first = false;
  }
  return !first;
}

function isS(c: number): boolean {
  return c === SPACE || c === NL || c === CR || c === TAB;
}

function isQuote(c: number): boolean {
  return c === DQUOTE || c === SQUOTE;
}

function isChar10(c: number): boolean {
  return (c >= SPACE && c <= 0xd7ff) || c === NL || c === CR || c === TAB || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

function isChar11(c: number): boolean {
  return (c >= 1 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

const XML_DECL_NAME_TERMINATOR = [EQUAL, QUESTION, SPACE, NL, CR, TAB];
const DOCTYPE_TERMINATOR = [DQUOTE, SQUOTE, OPEN_BRACKET, GREATER];
const DTD_TERMINATOR = [DQUOTE, SQUOTE, LESS, CLOSE_BRACKET];

/**
 * A document declaring a version other than 1.0 is read, as saxes reads it, by the XML 1.1 rules:
 * NEL and LS end lines and C1 controls are disallowed. Rewriting them in the input, code unit for
 * code unit, lets one reader serve both: line ends become LF (CR NEL one line end, CR LS two),
 * disallowed characters become U+0001, which both machines refuse where saxes would.
 */
const XML11_SPECIAL = /\r[\u0085\u2028]|[\u0085\u2028]|[\u007f-\u0084\u0086-\u009f]/g;

function normalize11(s: string): string {
  return s.replace(XML11_SPECIAL, (m) => {
    if (m.length === 2) return m.charCodeAt(1) === 0x85 ? '\r\n' : '\n\n';
    return m === '\u0085' || m === '\u2028' ? '\n' : '\u0001';
  });
}

/**
 * The XML declarations saxes accepts as version 1.0 without a word, as one pattern: at the start of
 * the first chunk such a declaration is skipped in one step instead of a character at a time.
 */
const XML_DECL_10 =
  /<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.0"|'1\.0')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>/y;

/** The attributes of an element without any: frozen, so one object serves them all. */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);

interface MutableTag {
  name: string;
  attributes: Record<string, string>;
}

function tooLarge(what: string, max: number): FrameLimitError {
  return new FrameLimitError('XML_TOO_LARGE', `more than ${max} ${what}`);
}

export class FastTokenizer implements Tokenizer {
  readonly kind = 'fast';
  /** Handed to every open(): the framer reads name and attributes and keeps only the latter. */
  private readonly tag: MutableTag = { name: '', attributes: NO_ATTRIBUTES };
  private readonly tags: string[] = [];
  private state = S_BEGIN;
  /** The chunk being read (its carried last character excluded) and the position in it. */
  private chunk = '';
  private i = 0;
  private prevI = 0;
  /** A trailing CR or high surrogate, kept for the next chunk (as saxes does). */
  private carry = '';
  /** Line and column (saxes' way) at the start of `chunk`. */
  private line = 1;
  private column = 0;
  // The unfinished token, as saxes holds it.
  private text = '';
  private name = '';
  private piTarget = '';
  private entity = '';
  private entityReturnState = S_TEXT;
  private openWakaBang = '';
  private q = -1;
  /** `]` characters just read in text (0, 1, 2+), for the `]]>` rule. */
  private forbiddenState = 0;
  private tagName = '';
  private attribNames: string[] = [];
  private attribValues: string[] = [];
  private sawRoot = false;
  private closedRoot = false;
  private doctype = false;
  private xmlDeclPossible = true;
  private xmlDeclExpects: readonly string[] = ['version'];
  private xml11 = false;
  /** Where fastEntity() left off. */
  private entityEnd = 0;

  constructor(
    private readonly handler: XmlHandler,
    private readonly bufferMax: number,
  ) {}

  write(input: string): void {
    let chunk = input;
    if (this.carry !== '') {
      chunk = this.carry + chunk;
      this.carry = '';
    }
    const n = chunk.length;
    if (n === 0) return;
    const last = chunk.charCodeAt(n - 1);
    if (last === CR || (last >= 0xd800 && last <= 0xdbff)) {
      this.carry = chunk.slice(n - 1);
      chunk = chunk.slice(0, n - 1);
    }
    this.read(chunk);
    // What is held of an unfinished token is bounded once per chunk, as for saxes in tokenizer.ts.
    const max = this.bufferMax;
    if (this.text.length > max) throw tooLarge('characters in one text, comment or attribute value', max);
    if (this.name.length > max || this.piTarget.length > max || this.entity.length > max) throw tooLarge('characters in one name', max);
  }

  close(): void {
    if (this.carry !== '') {
      const carry = this.carry;
      this.carry = '';
      this.read(carry);
    }
    if (!this.sawRoot) this.fail('document must contain a root element.');
    const tags = this.tags;
    if (tags.length > 0) this.fail(`unclosed tag: ${tags[tags.length - 1]!}`);
    if (this.state !== S_BEGIN && this.state !== S_TEXT) this.fail('unexpected end.');
    const text = this.text;
    if (text.length !== 0) {
      this.text = '';
      this.handler.text(text);
    }
  }

  private read(input: string): void {
    const chunk = this.xml11 ? normalize11(input) : input;
    if (this.chunk.length !== 0) this.advance();
    this.chunk = chunk;
    this.i = 0;
    const n = chunk.length;
    while (this.i < n) {
      if (this.state === S_TEXT && this.fast()) continue;
      this.step();
    }
  }

  /** Moves the start-of-chunk position over the whole chunk, before the next one replaces it. */
  private advance(): void {
    const [line, column] = this.positionAt(this.chunk.length);
    this.line = line;
    this.column = column;
  }

  /** Line and column after `end` code units of the chunk: lines counted as saxes counts them. */
  private positionAt(end: number): [number, number] {
    const s = this.chunk;
    let line = this.line;
    let lineStart = 0;
    let newLine = false;
    const cr = s.indexOf('\r');
    if (cr < 0 || cr >= end) {
      for (let p = s.indexOf('\n'); p >= 0 && p < end; p = s.indexOf('\n', p + 1)) {
        line++;
        lineStart = p + 1;
        newLine = true;
      }
    } else {
      for (let k = 0; k < end; k++) {
        const c = s.charCodeAt(k);
        if (c === NL || c === CR) {
          if (c === CR && s.charCodeAt(k + 1) === NL) k++;
          line++;
          lineStart = k + 1;
          newLine = true;
        }
      }
    }
    let column = newLine ? 0 : this.column;
    for (let k = lineStart; k < end; k++) {
      const c = s.charCodeAt(k);
      // The second half of a surrogate pair is the same character.
      if (c < 0xdc00 || c > 0xdfff || k === 0 || !isHighSurrogate(s.charCodeAt(k - 1))) column++;
    }
    return [line, column];
  }

  private fail(message: string): never {
    const [line, column] = this.positionAt(Math.min(this.i, this.chunk.length));
    throw new XmlSyntaxError(message, line, column);
  }

  // ---------------------------------------------------------------------------------------------
  // The fast path.

  /**
   * Reads from this.i in S_TEXT for as long as the input takes common forms. Returns false to
   * have the reference machine read the text at this.i instead; anything else is left to it in the
   * state it sets (S_OPEN_WAKA just after a `<`, as saxes is there).
   */
  private fast(): boolean {
    const s = this.chunk;
    const n = s.length;
    const handler = this.handler;
    const tags = this.tags;
    let i = this.i;
    let br = this.forbiddenState;
    markup: for (;;) {
      // Text, up to a `<`.
      if (tags.length === 0) {
        // Outside the root only whitespace goes on this path (saxes refuses anything else).
        let j = i;
        while (j < n) {
          const c = s.charCodeAt(j);
          if (c === SPACE || c === NL || c === TAB) j++;
          else break;
        }
        if (j === n) {
          if (j > i) this.text += s.slice(i, j);
          this.i = n;
          return true;
        }
        if (s.charCodeAt(j) !== LESS) {
          this.i = i;
          return false;
        }
        const t = this.text;
        if (t.length !== 0) {
          this.text = '';
          handler.text(t + s.slice(i, j));
        } else if (j > i) {
          handler.text(s.slice(i, j));
        }
        i = j;
      } else {
        let start = i;
        let runStart = i;
        for (;;) {
          if (i >= n) {
            if (start < n) this.text += s.slice(start, n);
            this.forbiddenState = brackets(s, n, runStart, br);
            this.i = n;
            return true;
          }
          const c = s.charCodeAt(i);
          if (c < 0x80) {
            if ((CLASS[c]! & TEXT_STOP) === 0) {
              i++;
              continue;
            }
            if (c === LESS) break;
            if (c === GREATER) {
              if (brackets(s, i, runStart, br) < 2) {
                i++;
                continue;
              }
            } else if (c === CR) {
              this.text += s.slice(start, i) + '\n';
              i = s.charCodeAt(i + 1) === NL ? i + 2 : i + 1;
              start = runStart = i;
              br = 0;
              continue;
            } else if (c === AMP) {
              const decoded = this.fastEntity(s, i);
              if (decoded !== null) {
                this.text += s.slice(start, i) + decoded;
                i = start = runStart = this.entityEnd;
                br = 0;
                continue;
              }
            }
          } else if (c < 0xd800) {
            i++;
            continue;
          } else if (c <= 0xdbff) {
            const d = s.charCodeAt(i + 1);
            if (d >= 0xdc00 && d <= 0xdfff) {
              i += 2;
              continue;
            }
          } else if (c >= 0xe000 && c <= 0xfffd) {
            i++;
            continue;
          }
          // A control character, `]]>`, an entity not decoded here: the reference machine reads it.
          if (i > start) this.text += s.slice(start, i);
          this.forbiddenState = brackets(s, i, runStart, br);
          this.i = i;
          return false;
        }
        const t = this.text;
        if (t.length !== 0) {
          this.text = '';
          handler.text(t + s.slice(start, i));
        } else if (i > start) {
          handler.text(s.slice(start, i));
        }
      }
      br = 0;
      this.forbiddenState = 0;

      // Markup: s[i] is `<`. Until a tag is complete nothing of it is reported, and a tag this path
      // does not finish is read again by the reference machine, from just after the `<`.
      const lt = i;
      if (lt + 1 >= n) break markup;
      let c = s.charCodeAt(lt + 1);
      if (c === SLASH) {
        const top = tags[tags.length - 1];
        if (top === undefined) break markup;
        const end = lt + 2 + top.length;
        if (end >= n || s.charCodeAt(end) !== GREATER || !s.startsWith(top, lt + 2)) break markup;
        tags.pop();
        if (tags.length === 0) this.closedRoot = true;
        handler.close();
        i = end + 1;
        continue;
      }
      if (c >= 0x80 || (CLASS[c]! & NAME_START) === 0) break markup;
      let j = lt + 2;
      while (j < n) {
        c = s.charCodeAt(j);
        if (c < 0x80 && (CLASS[c]! & NAME_CHAR) !== 0) j++;
        else break;
      }
      if (j >= n || this.closedRoot) break markup;
      if (c === GREATER) {
        this.open(s.slice(lt + 1, j), NO_ATTRIBUTES);
        i = j + 1;
        continue;
      }
      if (c === SLASH) {
        if (j + 1 >= n || s.charCodeAt(j + 1) !== GREATER) break markup;
        this.open(s.slice(lt + 1, j), NO_ATTRIBUTES);
        this.closeEmpty();
        i = j + 2;
        continue;
      }
      if (c >= 0x80 || (CLASS[c]! & SPACE_CHAR) === 0) break markup;
      const name = s.slice(lt + 1, j);
      let attrs: Record<string, string> | null = null;
      let count = 0;
      let k = j;
      for (;;) {
        // Between attributes: whitespace, then `>`, `/>` or a name.
        const before = k;
        while (k < n) {
          c = s.charCodeAt(k);
          if (c < 0x80 && (CLASS[c]! & SPACE_CHAR) !== 0) k++;
          else break;
        }
        if (k >= n) break markup;
        if (c === GREATER) {
          this.open(name, attrs ?? NO_ATTRIBUTES);
          i = k + 1;
          continue markup;
        }
        if (c === SLASH) {
          if (k + 1 >= n || s.charCodeAt(k + 1) !== GREATER) break markup;
          this.open(name, attrs ?? NO_ATTRIBUTES);
          this.closeEmpty();
          i = k + 2;
          continue markup;
        }
        if (k === before || c >= 0x80 || (CLASS[c]! & NAME_START) === 0) break markup;
        const nameStart = k;
        for (k++; k < n; k++) {
          c = s.charCodeAt(k);
          if (c >= 0x80 || (CLASS[c]! & NAME_CHAR) === 0) break;
        }
        if (k >= n) break markup;
        const attribute = s.slice(nameStart, k);
        while (c < 0x80 && (CLASS[c]! & SPACE_CHAR) !== 0) {
          if (++k >= n) break markup;
          c = s.charCodeAt(k);
        }
        if (c !== EQUAL) break markup;
        do {
          if (++k >= n) break markup;
          c = s.charCodeAt(k);
        } while (c < 0x80 && (CLASS[c]! & SPACE_CHAR) !== 0);
        if (c !== DQUOTE && c !== SQUOTE) break markup;
        const q = c;
        let valueStart = ++k;
        let value = '';
        let pieces = false;
        for (;;) {
          if (k >= n) break markup;
          c = s.charCodeAt(k);
          if (c < 0x80) {
            if ((CLASS[c]! & VALUE_STOP) === 0) {
              k++;
              continue;
            }
            if (c === q) break;
            if (c === DQUOTE || c === SQUOTE) {
              k++;
              continue;
            }
            // Attribute value normalisation as saxes does it: TAB, LF, CR LF and CR become a space.
            if (c === TAB || c === NL || c === CR) {
              value += s.slice(valueStart, k) + ' ';
              pieces = true;
              k = c === CR && s.charCodeAt(k + 1) === NL ? k + 2 : k + 1;
              valueStart = k;
              continue;
            }
            if (c === AMP) {
              const decoded = this.fastEntity(s, k);
              if (decoded !== null) {
                value += s.slice(valueStart, k) + decoded;
                pieces = true;
                k = valueStart = this.entityEnd;
                continue;
              }
            }
            break markup;
          }
          if (c < 0xd800) {
            k++;
            continue;
          }
          if (c <= 0xdbff) {
            const d = s.charCodeAt(k + 1);
            if (d >= 0xdc00 && d <= 0xdfff) {
              k += 2;
              continue;
            }
          } else if (c >= 0xe000 && c <= 0xfffd) {
            k++;
            continue;
          }
          break markup;
        }
        const v = pieces ? value + s.slice(valueStart, k) : s.slice(valueStart, k);
        k++;
        if (attrs === null) attrs = Object.create(null) as Record<string, string>;
        else if (attrs[attribute] !== undefined) break markup;
        attrs[attribute] = v;
        if (++count > ATTRIBUTES_MAX) throw tooLarge('attributes on one element', ATTRIBUTES_MAX);
      }
    }
    // Left to the reference machine, from just after the `<`.
    this.state = S_OPEN_WAKA;
    this.i = i + 1;
    return true;
  }

  /**
   * Decodes the entity reference at s[at] (`&`) when it is complete in the chunk and one of the
   * forms the fast path takes (the five predefined, a character reference to an allowed
   * character); sets entityEnd after its `;`. Null otherwise: the reference machine reads it.
   */
  private fastEntity(s: string, at: number): string | null {
    switch (s.charCodeAt(at + 1)) {
      case 0x61: // a
        if (s.startsWith('amp;', at + 1)) {
          this.entityEnd = at + 5;
          return '&';
        }
        if (s.startsWith('apos;', at + 1)) {
          this.entityEnd = at + 6;
          return "'";
        }
        return null;
      case 0x6c: // l
        if (!s.startsWith('lt;', at + 1)) return null;
        this.entityEnd = at + 4;
        return '<';
      case 0x67: // g
        if (!s.startsWith('gt;', at + 1)) return null;
        this.entityEnd = at + 4;
        return '>';
      case 0x71: // q
        if (!s.startsWith('quot;', at + 1)) return null;
        this.entityEnd = at + 6;
        return '"';
      case HASH: {
        let k = at + 2;
        const hex = s.charCodeAt(k) === 0x78; // x
        if (hex) k++;
        const first = k;
        let v = 0;
        for (; k < s.length; k++) {
          const c = s.charCodeAt(k);
          let d: number;
          if (c >= 0x30 && c <= 0x39) d = c - 0x30;
          else if (hex && c >= 0x61 && c <= 0x66) d = c - 0x57;
          else if (hex && c >= 0x41 && c <= 0x46) d = c - 0x37;
          else break;
          v = v * (hex ? 16 : 10) + d;
          if (v > 0x10ffff) return null;
        }
        if (k === first || s.charCodeAt(k) !== SEMICOLON) return null;
        if (!(this.xml11 ? isChar11(v) : isChar10(v))) return null;
        this.entityEnd = k + 1;
        return String.fromCodePoint(v);
      }
      default:
        return null;
    }
  }

  private open(name: string, attributes: Record<string, string>): void {
    this.sawRoot = true;
    this.xmlDeclPossible = false;
    const tag = this.tag;
    tag.name = name;
    tag.attributes = attributes;
    this.handler.open(tag);
    this.tags.push(name);
  }

  /** The end of an empty-element tag, just opened. */
  private closeEmpty(): void {
    const tags = this.tags;
    tags.pop();
    if (tags.length === 0) this.closedRoot = true;
    this.handler.close();
  }

  // ---------------------------------------------------------------------------------------------
  // The reference machine: saxes' states, one character at a time.

  private step(): void {
    switch (this.state) {
      case S_BEGIN:
        return this.sBegin();
      case S_BEGIN_WHITESPACE:
        return this.sBeginWhitespace();
      case S_DOCTYPE:
        return this.sDoctype();
      case S_DOCTYPE_QUOTE:
        return this.sDoctypeQuote();
      case S_DTD:
        return this.sDTD();
      case S_DTD_QUOTED:
        return this.sDTDQuoted();
      case S_DTD_OPEN_WAKA:
        return this.sDTDOpenWaka();
      case S_DTD_OPEN_WAKA_BANG:
        return this.sDTDOpenWakaBang();
      case S_DTD_COMMENT:
        return this.sDTDComment();
      case S_DTD_COMMENT_ENDING:
        return this.sDTDCommentEnding();
      case S_DTD_COMMENT_ENDED:
        return this.sDTDCommentEnded();
      case S_DTD_PI:
        return this.sDTDPI();
      case S_DTD_PI_ENDING:
        return this.sDTDPIEnding();
      case S_TEXT:
        return this.tags.length !== 0 ? this.sTextInRoot() : this.sTextOutsideRoot();
      case S_ENTITY:
        return this.sEntity();
      case S_OPEN_WAKA:
        return this.sOpenWaka();
      case S_OPEN_WAKA_BANG:
        return this.sOpenWakaBang();
      case S_COMMENT:
        return this.sComment();
      case S_COMMENT_ENDING:
        return this.sCommentEnding();
      case S_COMMENT_ENDED:
        return this.sCommentEnded();
      case S_CDATA:
        return this.sCData();
      case S_CDATA_ENDING:
        return this.sCDataEnding();
      case S_CDATA_ENDING_2:
        return this.sCDataEnding2();
      case S_PI_FIRST_CHAR:
        return this.sPIFirstChar();
      case S_PI_REST:
        return this.sPIRest();
      case S_PI_BODY:
        return this.sPIBody();
      case S_PI_ENDING:
        return this.sPIEnding();
      case S_XML_DECL_NAME_START:
        return this.sXMLDeclNameStart();
      case S_XML_DECL_NAME:
        return this.sXMLDeclName();
      case S_XML_DECL_EQ:
        return this.sXMLDeclEq();
      case S_XML_DECL_VALUE_START:
        return this.sXMLDeclValueStart();
      case S_XML_DECL_VALUE:
        return this.sXMLDeclValue();
      case S_XML_DECL_SEPARATOR:
        return this.sXMLDeclSeparator();
      case S_XML_DECL_ENDING:
        return this.sXMLDeclEnding();
      case S_OPEN_TAG:
        return this.sOpenTag();
      case S_OPEN_TAG_SLASH:
        return this.sOpenTagSlash();
      case S_ATTRIB:
        return this.sAttrib();
      case S_ATTRIB_NAME:
        return this.sAttribName();
      case S_ATTRIB_NAME_SAW_WHITE:
        return this.sAttribNameSawWhite();
      case S_ATTRIB_VALUE:
        return this.sAttribValue();
      case S_ATTRIB_VALUE_QUOTED:
        return this.sAttribValueQuoted();
      case S_ATTRIB_VALUE_CLOSED:
        return this.sAttribValueClosed();
      case S_CLOSE_TAG:
        return this.sCloseTag();
      case S_CLOSE_TAG_SAW_WHITE:
        return this.sCloseTagSawWhite();
      default:
        throw new Error(`fast tokenizer: no state ${this.state}`);
    }
  }

  /** The next character (a code point; NL_LIKE for CR or CR LF; EOC), refused if not allowed. */
  private getCode(): number {
    const s = this.chunk;
    const i = this.i;
    this.prevI = i;
    this.i = i + 1;
    if (i >= s.length) return EOC;
    const c = s.charCodeAt(i);
    if (c < 0xd800) {
      if (c >= SPACE || c === TAB) return c;
      if (c === NL) return NL;
      if (c === CR) {
        if (s.charCodeAt(i + 1) === NL) this.i = i + 2;
        return NL_LIKE;
      }
      return this.fail('disallowed character.');
    }
    if (c > 0xdbff) {
      if (c >= 0xe000 && c <= 0xfffd) return c;
      return this.fail('disallowed character.');
    }
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      this.i = i + 2;
      return 0x10000 + (c - 0xd800) * 0x400 + (d - 0xdc00);
    }
    return this.fail('disallowed character.');
  }

  private getCodeNorm(): number {
    const c = this.getCode();
    return c === NL_LIKE ? NL : c;
  }

  private unget(): void {
    this.i = this.prevI;
  }

  /** Adds characters to `text` up to one of `chars` (returned; NL for a line end) or EOC. */
  private captureTo(chars: readonly number[]): number {
    const s = this.chunk;
    let start = this.i;
    for (;;) {
      const c = this.getCode();
      const final = c === NL_LIKE ? NL : c;
      if (final === EOC || chars.includes(final)) {
        this.text += s.slice(start, this.prevI);
        return final;
      }
      if (c === NL_LIKE) {
        this.text += `${s.slice(start, this.prevI)}\n`;
        start = this.i;
      }
    }
  }

  /** Adds characters to `text` up to `char` (true) or the end of the chunk (false). */
  private captureToChar(char: number): boolean {
    const s = this.chunk;
    let start = this.i;
    for (;;) {
      let c = this.getCode();
      if (c === NL_LIKE) {
        this.text += `${s.slice(start, this.prevI)}\n`;
        start = this.i;
        c = NL;
      } else if (c === EOC) {
        this.text += s.slice(start);
        return false;
      }
      if (c === char) {
        this.text += s.slice(start, this.prevI);
        return true;
      }
    }
  }

  /** Adds name characters to `name`; returns the one after (NL for a line end) or EOC. */
  private captureNameChars(): number {
    const s = this.chunk;
    const start = this.i;
    for (;;) {
      const c = this.getCode();
      if (c === EOC) {
        this.name += s.slice(start);
        return EOC;
      }
      if (!isNameChar(c)) {
        this.name += s.slice(start, this.prevI);
        return c === NL_LIKE ? NL : c;
      }
    }
  }

  private skipSpaces(): number {
    for (;;) {
      const c = this.getCodeNorm();
      if (c === EOC || !isS(c)) return c;
    }
  }

  private sBegin(): void {
    // A BOM is skipped, at the very start only.
    const s = this.chunk;
    if (s.charCodeAt(0) === 0xfeff) this.i++;
    this.state = S_BEGIN_WHITESPACE;
    if (s.startsWith('<?xml', this.i)) {
      XML_DECL_10.lastIndex = this.i;
      if (XML_DECL_10.test(s)) {
        this.i = XML_DECL_10.lastIndex;
        this.state = S_TEXT;
        this.xmlDeclPossible = false;
      }
    }
  }

  private sBeginWhitespace(): void {
    const before = this.i;
    const c = this.skipSpaces();
    if (this.prevI !== before) this.xmlDeclPossible = false;
    if (c === LESS) {
      // A tag other than a PI: the fast path reads it from the `<` (or leaves it in S_OPEN_WAKA).
      if (this.i < this.chunk.length && this.chunk.charCodeAt(this.i) !== QUESTION) {
        this.unget();
        this.state = S_TEXT;
      } else {
        this.state = S_OPEN_WAKA;
      }
    } else if (c !== EOC) {
      this.unget();
      this.state = S_TEXT;
      this.xmlDeclPossible = false;
    }
  }

  private sDoctype(): void {
    const c = this.captureTo(DOCTYPE_TERMINATOR);
    if (c === GREATER) {
      this.text = '';
      this.state = S_TEXT;
      this.doctype = true;
      this.handler.doctype();
    } else if (c !== EOC) {
      this.text += String.fromCodePoint(c);
      if (c === OPEN_BRACKET) {
        this.state = S_DTD;
      } else {
        this.state = S_DOCTYPE_QUOTE;
        this.q = c;
      }
    }
  }

  private sDoctypeQuote(): void {
    const q = this.q;
    if (this.captureToChar(q)) {
      this.text += String.fromCodePoint(q);
      this.q = -1;
      this.state = S_DOCTYPE;
    }
  }

  private sDTD(): void {
    const c = this.captureTo(DTD_TERMINATOR);
    if (c === EOC) return;
    this.text += String.fromCodePoint(c);
    if (c === CLOSE_BRACKET) {
      this.state = S_DOCTYPE;
    } else if (c === LESS) {
      this.state = S_DTD_OPEN_WAKA;
    } else {
      this.state = S_DTD_QUOTED;
      this.q = c;
    }
  }

  private sDTDQuoted(): void {
    const q = this.q;
    if (this.captureToChar(q)) {
      this.text += String.fromCodePoint(q);
      this.state = S_DTD;
      this.q = -1;
    }
  }

  private sDTDOpenWaka(): void {
    const c = this.getCodeNorm();
    this.text += String.fromCodePoint(c);
    if (c === BANG) {
      this.state = S_DTD_OPEN_WAKA_BANG;
      this.openWakaBang = '';
    } else if (c === QUESTION) {
      this.state = S_DTD_PI;
    } else {
      this.state = S_DTD;
    }
  }

  private sDTDOpenWakaBang(): void {
    const char = String.fromCodePoint(this.getCodeNorm());
    const owb = (this.openWakaBang += char);
    this.text += char;
    if (owb !== '-') {
      this.state = owb === '--' ? S_DTD_COMMENT : S_DTD;
      this.openWakaBang = '';
    }
  }

  private sDTDComment(): void {
    if (this.captureToChar(MINUS)) {
      this.text += '-';
      this.state = S_DTD_COMMENT_ENDING;
    }
  }

  private sDTDCommentEnding(): void {
    const c = this.getCodeNorm();
    this.text += String.fromCodePoint(c);
    this.state = c === MINUS ? S_DTD_COMMENT_ENDED : S_DTD_COMMENT;
  }

  private sDTDCommentEnded(): void {
    const c = this.getCodeNorm();
    this.text += String.fromCodePoint(c);
    if (c !== GREATER) this.fail('malformed comment.');
    this.state = S_DTD;
  }

  private sDTDPI(): void {
    if (this.captureToChar(QUESTION)) {
      this.text += '?';
      this.state = S_DTD_PI_ENDING;
    }
  }

  private sDTDPIEnding(): void {
    const c = this.getCodeNorm();
    this.text += String.fromCodePoint(c);
    if (c === GREATER) this.state = S_DTD;
  }

  private sTextInRoot(): void {
    const s = this.chunk;
    let start = this.i;
    let forbidden = this.forbiddenState;
    for (;;) {
      switch (this.getCode()) {
        case LESS: {
          this.state = S_OPEN_WAKA;
          const text = this.text;
          const slice = s.slice(start, this.prevI);
          this.forbiddenState = 0;
          if (text.length !== 0) {
            this.text = '';
            this.handler.text(text + slice);
          } else if (slice.length !== 0) {
            this.handler.text(slice);
          }
          return;
        }
        case AMP:
          this.state = S_ENTITY;
          this.entityReturnState = S_TEXT;
          this.text += s.slice(start, this.prevI);
          this.forbiddenState = 0;
          return;
        case CLOSE_BRACKET:
          if (forbidden < 2) forbidden++;
          break;
        case GREATER:
          if (forbidden === 2) this.fail('the string "]]>" is disallowed in char data.');
          forbidden = 0;
          break;
        case NL_LIKE:
          this.text += `${s.slice(start, this.prevI)}\n`;
          start = this.i;
          forbidden = 0;
          break;
        case EOC:
          this.text += s.slice(start);
          this.forbiddenState = forbidden;
          return;
        default:
          forbidden = 0;
      }
    }
  }

  private sTextOutsideRoot(): void {
    const s = this.chunk;
    let start = this.i;
    let nonSpace = false;
    loop: for (;;) {
      const c = this.getCode();
      switch (c) {
        case LESS: {
          this.state = S_OPEN_WAKA;
          const text = this.text;
          const slice = s.slice(start, this.prevI);
          if (text.length !== 0) {
            this.text = '';
            this.handler.text(text + slice);
          } else if (slice.length !== 0) {
            this.handler.text(slice);
          }
          break loop;
        }
        case AMP:
          this.state = S_ENTITY;
          this.entityReturnState = S_TEXT;
          this.text += s.slice(start, this.prevI);
          nonSpace = true;
          break loop;
        case NL_LIKE:
          this.text += `${s.slice(start, this.prevI)}\n`;
          start = this.i;
          break;
        case EOC:
          this.text += s.slice(start);
          break loop;
        default:
          if (!isS(c)) nonSpace = true;
      }
    }
    if (nonSpace && (!this.sawRoot || this.closedRoot)) this.fail('text data outside of root node.');
  }

  private sEntity(): void {
    const s = this.chunk;
    let start = this.i;
    for (;;) {
      const c = this.getCode();
      if (c === NL_LIKE) {
        this.entity += `${s.slice(start, this.prevI)}\n`;
        start = this.i;
      } else if (c === SEMICOLON) {
        const entity = this.entity + s.slice(start, this.prevI);
        this.state = this.entityReturnState;
        if (entity === '') this.fail('empty entity name.');
        const parsed = this.parseEntity(entity);
        this.entity = '';
        this.text += parsed;
        return;
      } else if (c === EOC) {
        this.entity += s.slice(start);
        return;
      }
    }
  }

  private parseEntity(entity: string): string {
    if (entity[0] !== '#') {
      switch (entity) {
        case 'amp':
          return '&';
        case 'lt':
          return '<';
        case 'gt':
          return '>';
        case 'quot':
          return '"';
        case 'apos':
          return "'";
      }
      return this.fail(isName(entity) ? 'undefined entity.' : 'disallowed character in entity name.');
    }
    let num = NaN;
    if (entity[1] === 'x' && /^#x[0-9a-f]+$/i.test(entity)) num = parseInt(entity.slice(2), 16);
    else if (/^#[0-9]+$/.test(entity)) num = parseInt(entity.slice(1), 10);
    if (!(this.xml11 ? isChar11(num) : isChar10(num))) this.fail('malformed character entity.');
    return String.fromCodePoint(num);
  }

  private sOpenWaka(): void {
    const c = this.getCode();
    if (isNameStartChar(c)) {
      this.state = S_OPEN_TAG;
      this.unget();
      this.xmlDeclPossible = false;
      return;
    }
    switch (c) {
      case SLASH:
        this.state = S_CLOSE_TAG;
        this.xmlDeclPossible = false;
        return;
      case BANG:
        this.state = S_OPEN_WAKA_BANG;
        this.openWakaBang = '';
        this.xmlDeclPossible = false;
        return;
      case QUESTION:
        this.state = S_PI_FIRST_CHAR;
        return;
      default:
        this.fail('disallowed character in tag name');
    }
  }

  private sOpenWakaBang(): void {
    this.openWakaBang += String.fromCodePoint(this.getCodeNorm());
    switch (this.openWakaBang) {
      case '[CDATA[':
        if (!this.sawRoot || this.closedRoot) this.fail('text data outside of root node.');
        this.state = S_CDATA;
        this.openWakaBang = '';
        return;
      case '--':
        this.state = S_COMMENT;
        this.openWakaBang = '';
        return;
      case 'DOCTYPE':
        this.state = S_DOCTYPE;
        if (this.doctype || this.sawRoot) this.fail('inappropriately located doctype declaration.');
        this.openWakaBang = '';
        return;
      default:
        if (this.openWakaBang.length >= 7) this.fail('incorrect syntax.');
    }
  }

  private sComment(): void {
    if (this.captureToChar(MINUS)) this.state = S_COMMENT_ENDING;
  }

  private sCommentEnding(): void {
    const c = this.getCodeNorm();
    if (c === MINUS) {
      this.state = S_COMMENT_ENDED;
      this.text = '';
    } else {
      this.text += `-${String.fromCodePoint(c)}`;
      this.state = S_COMMENT;
    }
  }

  private sCommentEnded(): void {
    if (this.getCodeNorm() !== GREATER) this.fail('malformed comment.');
    this.state = S_TEXT;
  }

  private sCData(): void {
    if (this.captureToChar(CLOSE_BRACKET)) this.state = S_CDATA_ENDING;
  }

  private sCDataEnding(): void {
    const c = this.getCodeNorm();
    if (c === CLOSE_BRACKET) {
      this.state = S_CDATA_ENDING_2;
    } else {
      this.text += `]${String.fromCodePoint(c)}`;
      this.state = S_CDATA;
    }
  }

  private sCDataEnding2(): void {
    const c = this.getCodeNorm();
    if (c === GREATER) {
      const text = this.text;
      this.text = '';
      this.state = S_TEXT;
      // CDATA is text to deltran (saxes reports it as a separate event, empty ones included).
      this.handler.text(text);
    } else if (c === CLOSE_BRACKET) {
      this.text += ']';
    } else {
      this.text += `]]${String.fromCodePoint(c)}`;
      this.state = S_CDATA;
    }
  }

  private sPIFirstChar(): void {
    const c = this.getCodeNorm();
    if (isNameStartChar(c)) {
      this.piTarget += String.fromCodePoint(c);
      this.state = S_PI_REST;
    } else if (c === QUESTION || isS(c)) {
      this.fail('processing instruction without a target.');
    } else {
      this.fail('disallowed character in processing instruction name.');
    }
  }

  private sPIRest(): void {
    const s = this.chunk;
    const start = this.i;
    for (;;) {
      const c = this.getCodeNorm();
      if (c === EOC) {
        this.piTarget += s.slice(start);
        return;
      }
      if (!isNameChar(c)) {
        this.piTarget += s.slice(start, this.prevI);
        const isQuestion = c === QUESTION;
        if (!isQuestion && !isS(c)) this.fail('disallowed character in processing instruction name.');
        if (this.piTarget === 'xml') {
          if (!this.xmlDeclPossible) this.fail('an XML declaration must be at the start of the document.');
          this.state = isQuestion ? S_XML_DECL_ENDING : S_XML_DECL_NAME_START;
        } else {
          this.state = isQuestion ? S_PI_ENDING : S_PI_BODY;
        }
        return;
      }
    }
  }

  private sPIBody(): void {
    if (this.text.length === 0) {
      const c = this.getCodeNorm();
      if (c === QUESTION) this.state = S_PI_ENDING;
      else if (!isS(c)) this.text = String.fromCodePoint(c);
    } else if (this.captureToChar(QUESTION)) {
      this.state = S_PI_ENDING;
    }
  }

  private sPIEnding(): void {
    const c = this.getCodeNorm();
    if (c === GREATER) {
      if (this.piTarget.toLowerCase() === 'xml') this.fail('the XML declaration must appear at the start of the document.');
      this.piTarget = this.text = '';
      this.state = S_TEXT;
    } else if (c === QUESTION) {
      this.text += '?';
    } else {
      this.text += `?${String.fromCodePoint(c)}`;
      this.state = S_PI_BODY;
    }
    this.xmlDeclPossible = false;
  }

  private sXMLDeclNameStart(): void {
    const c = this.skipSpaces();
    if (c === QUESTION) {
      this.state = S_XML_DECL_ENDING;
    } else if (c !== EOC) {
      this.state = S_XML_DECL_NAME;
      this.name = String.fromCodePoint(c);
    }
  }

  private sXMLDeclName(): void {
    const c = this.captureTo(XML_DECL_NAME_TERMINATOR);
    if (c === QUESTION) this.fail('XML declaration is incomplete.');
    if (!(isS(c) || c === EQUAL)) return;
    this.name += this.text;
    this.text = '';
    if (!this.xmlDeclExpects.includes(this.name)) {
      switch (this.name.length) {
        case 0:
          this.fail('did not expect any more name/value pairs.');
          break;
        case 1:
          this.fail(`expected the name ${this.xmlDeclExpects[0]}.`);
          break;
        default:
          this.fail(`expected one of ${this.xmlDeclExpects.join(', ')}`);
      }
    }
    this.state = c === EQUAL ? S_XML_DECL_VALUE_START : S_XML_DECL_EQ;
  }

  private sXMLDeclEq(): void {
    const c = this.getCodeNorm();
    if (c === QUESTION) this.fail('XML declaration is incomplete.');
    if (isS(c)) return;
    if (c !== EQUAL) this.fail('value required.');
    this.state = S_XML_DECL_VALUE_START;
  }

  private sXMLDeclValueStart(): void {
    const c = this.getCodeNorm();
    if (c === QUESTION) this.fail('XML declaration is incomplete.');
    if (isS(c)) return;
    if (!isQuote(c)) this.fail('value must be quoted.');
    this.q = c;
    this.state = S_XML_DECL_VALUE;
  }

  private sXMLDeclValue(): void {
    const c = this.captureTo([this.q, QUESTION]);
    if (c === QUESTION) this.fail('XML declaration is incomplete.');
    if (c === EOC) return;
    const value = this.text;
    this.text = '';
    switch (this.name) {
      case 'version':
        this.xmlDeclExpects = ['encoding', 'standalone'];
        if (!/^1\.[0-9]+$/.test(value)) this.fail('version number must match /^1\\.[0-9]+$/.');
        if (value !== '1.0') this.useXml11();
        break;
      case 'encoding':
        if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(value)) this.fail('encoding value must match /^[A-Za-z0-9][A-Za-z0-9._-]*$/.');
        this.xmlDeclExpects = ['standalone'];
        break;
      case 'standalone':
        if (value !== 'yes' && value !== 'no') this.fail('standalone value must match "yes" or "no".');
        this.xmlDeclExpects = [];
        break;
    }
    this.name = '';
    this.state = S_XML_DECL_SEPARATOR;
  }

  /** From here on the XML 1.1 rules apply (see normalize11), as in saxes. */
  private useXml11(): void {
    if (this.xml11) return;
    this.xml11 = true;
    const s = this.chunk;
    this.chunk = s.slice(0, this.i) + normalize11(s.slice(this.i));
  }

  private sXMLDeclSeparator(): void {
    const c = this.getCodeNorm();
    if (c === QUESTION) {
      this.state = S_XML_DECL_ENDING;
      return;
    }
    if (!isS(c)) this.fail('whitespace required.');
    this.state = S_XML_DECL_NAME_START;
  }

  private sXMLDeclEnding(): void {
    const c = this.getCodeNorm();
    if (c !== GREATER) this.fail('The character ? is disallowed anywhere in XML declarations.');
    if (this.piTarget !== 'xml') this.fail('processing instructions are not allowed before root.');
    if (this.name !== 'version' && this.xmlDeclExpects.includes('version')) this.fail('XML declaration must contain a version.');
    this.name = '';
    this.piTarget = this.text = '';
    this.state = S_TEXT;
    this.xmlDeclPossible = false;
  }

  private sOpenTag(): void {
    const c = this.captureNameChars();
    if (c === EOC) return;
    this.tagName = this.name;
    this.name = '';
    this.sawRoot = true;
    if (this.closedRoot) this.fail('documents may contain only one root.');
    if (c === GREATER) {
      this.openTag();
    } else if (c === SLASH) {
      this.state = S_OPEN_TAG_SLASH;
    } else {
      if (!isS(c)) this.fail('disallowed character in tag name.');
      this.state = S_ATTRIB;
    }
  }

  private sOpenTagSlash(): void {
    if (this.getCode() !== GREATER) this.fail('forward-slash in opening tag not followed by >.');
    this.openTag();
    this.closeEmpty();
  }

  private sAttrib(): void {
    const c = this.skipSpaces();
    if (c === EOC) return;
    if (isNameStartChar(c)) {
      this.unget();
      this.state = S_ATTRIB_NAME;
    } else if (c === GREATER) {
      this.openTag();
    } else if (c === SLASH) {
      this.state = S_OPEN_TAG_SLASH;
    } else {
      this.fail('disallowed character in attribute name.');
    }
  }

  private sAttribName(): void {
    const c = this.captureNameChars();
    if (c === EQUAL) this.state = S_ATTRIB_VALUE;
    else if (isS(c)) this.state = S_ATTRIB_NAME_SAW_WHITE;
    else if (c === GREATER) this.fail('attribute without value.');
    else if (c !== EOC) this.fail('disallowed character in attribute name.');
  }

  private sAttribNameSawWhite(): void {
    const c = this.skipSpaces();
    if (c === EOC) return;
    if (c !== EQUAL) this.fail('attribute without value.');
    this.state = S_ATTRIB_VALUE;
  }

  private sAttribValue(): void {
    const c = this.getCodeNorm();
    if (isQuote(c)) {
      this.q = c;
      this.state = S_ATTRIB_VALUE_QUOTED;
    } else if (!isS(c)) {
      this.fail('unquoted attribute value.');
    }
  }

  private sAttribValueQuoted(): void {
    const q = this.q;
    const s = this.chunk;
    let start = this.i;
    for (;;) {
      const c = this.getCode();
      if (c === q) {
        this.pushAttrib(this.name, this.text + s.slice(start, this.prevI));
        this.name = this.text = '';
        this.q = -1;
        this.state = S_ATTRIB_VALUE_CLOSED;
        return;
      }
      switch (c) {
        case AMP:
          this.text += s.slice(start, this.prevI);
          this.state = S_ENTITY;
          this.entityReturnState = S_ATTRIB_VALUE_QUOTED;
          return;
        case NL:
        case NL_LIKE:
        case TAB:
          this.text += `${s.slice(start, this.prevI)} `;
          start = this.i;
          break;
        case LESS:
          this.fail('disallowed character.');
          break;
        case EOC:
          this.text += s.slice(start);
          return;
      }
    }
  }

  private sAttribValueClosed(): void {
    const c = this.getCodeNorm();
    if (isS(c)) this.state = S_ATTRIB;
    else if (c === GREATER) this.openTag();
    else if (c === SLASH) this.state = S_OPEN_TAG_SLASH;
    else if (isNameStartChar(c)) this.fail('no whitespace between attributes.');
    else this.fail('disallowed character in attribute name.');
  }

  private sCloseTag(): void {
    const c = this.captureNameChars();
    if (c === GREATER) this.closeTag();
    else if (isS(c)) this.state = S_CLOSE_TAG_SAW_WHITE;
    else if (c !== EOC) this.fail('disallowed character in closing tag.');
  }

  private sCloseTagSawWhite(): void {
    const c = this.skipSpaces();
    if (c === GREATER) this.closeTag();
    else if (c !== EOC) this.fail('disallowed character in closing tag.');
  }

  private pushAttrib(name: string, value: string): void {
    this.attribNames.push(name);
    this.attribValues.push(value);
    if (this.attribNames.length > ATTRIBUTES_MAX) throw tooLarge('attributes on one element', ATTRIBUTES_MAX);
  }

  /** The start tag read by the reference machine is complete: saxes' processAttribs and openTag. */
  private openTag(): void {
    const names = this.attribNames;
    let attributes = NO_ATTRIBUTES;
    if (names.length !== 0) {
      const values = this.attribValues;
      attributes = Object.create(null) as Record<string, string>;
      for (let k = 0; k < names.length; k++) {
        const name = names[k]!;
        if (attributes[name] !== undefined) this.fail(`duplicate attribute: ${name}.`);
        attributes[name] = values[k]!;
      }
      this.attribNames = [];
      this.attribValues = [];
    }
    this.state = S_TEXT;
    this.name = '';
    this.open(this.tagName, attributes);
  }

  private closeTag(): void {
    const name = this.name;
    this.state = S_TEXT;
    this.name = '';
    if (name === '') this.fail('weird empty close tag.');
    const tags = this.tags;
    const top = tags.pop();
    if (top === undefined) this.fail(`unmatched closing tag: ${name}.`);
    if (tags.length === 0) this.closedRoot = true;
    // saxes reports the end of the open element before it finds the names differ.
    this.handler.close();
    if (top !== name) this.fail('unexpected close tag.');
  }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/**
 * `]` characters (0, 1 or 2 for two or more) just before s[at] in the text run begun at runStart;
 * `carried` is the count at runStart.
 */
function brackets(s: string, at: number, runStart: number, carried: number): number {
  let k = at;
  let count = 0;
  while (count < 2 && k > runStart && s.charCodeAt(k - 1) === CLOSE_BRACKET) {
    k--;
    count++;
  }
  if (k === runStart && count < 2) count = Math.min(2, count + carried);
  return count;
}
