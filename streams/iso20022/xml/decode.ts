// Bytes to text, streaming. XML tokenizers take strings, so the encoding has to be settled before
// the first character reaches them: a BOM wins, then the XML declaration's `encoding`, then UTF-8.
// Decoding is fatal: a byte sequence that is invalid in the chosen encoding stops the read with a
// clear finding instead of turning into U+FFFD inside an IBAN or an amount.

import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { finding, type Finding } from '../findings.ts';

/** Encodings banks actually send, mapped to the WHATWG labels Node's TextDecoder knows. */
const SUPPORTED: Record<string, string> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8', // ASCII is a subset of UTF-8; a non-ASCII byte then fails as invalid UTF-8
  ascii: 'utf-8',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  'iso-8859-1': 'iso-8859-1',
  latin1: 'iso-8859-1',
  'iso-8859-15': 'iso-8859-15',
  latin9: 'iso-8859-15',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
};

/** Bytes we look at before choosing: the declaration must fit in them. */
const SNIFF_BYTES = 512;

export class ByteDecoder {
  /** The chosen encoding's decoder; 'utf-8' is decoded without one (see decodeUtf8). */
  private decoder: TextDecoder | 'utf-8' | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** UTF-8: the bytes of a character cut by the end of the last chunk. */
  private carry: Buffer | null = null;
  /** UTF-8: text was produced already, so a U+FEFF now is content, not a BOM. */
  private started = false;
  failure: Finding | null = null;

  /** Returns the text decoded so far ('' while still sniffing), or null after a failure. */
  write(chunk: Uint8Array): string | null {
    if (this.failure !== null) return null;
    if (this.decoder === null) {
      this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.pendingBytes += chunk.byteLength;
      if (this.pendingBytes < SNIFF_BYTES) return '';
      return this.start(this.head(), true);
    }
    return this.decode(chunk, true);
  }

  /** Flushes; returns the remaining text, or null after a failure (e.g. a cut multi-byte char). */
  end(): string | null {
    if (this.failure !== null) return null;
    if (this.decoder === null) return this.start(this.head(), false);
    return this.decode(new Uint8Array(0), false);
  }

  get encoding(): string | null {
    const d = this.decoder;
    return d === null ? null : d === 'utf-8' ? 'utf-8' : d.encoding;
  }

  /** The sniffed bytes as one buffer (no copy for a whole message given in one chunk). */
  private head(): Buffer {
    return this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
  }

  private start(head: Buffer, more: boolean): string | null {
    this.pending = [];
    const chosen = chooseEncoding(head);
    if ('failure' in chosen) {
      this.failure = chosen.failure;
      return null;
    }
    this.decoder = chosen.label === 'utf-8' ? 'utf-8' : new TextDecoder(chosen.label, { fatal: true, ignoreBOM: false });
    return this.decode(head, more);
  }

  private decode(bytes: Uint8Array, more: boolean): string | null {
    const decoder = this.decoder!;
    if (decoder === 'utf-8') return this.decodeUtf8(bytes, more) ?? this.invalid('UTF-8');
    try {
      return decoder.decode(bytes, { stream: more });
    } catch {
      return this.invalid(decoder.encoding.toUpperCase());
    }
  }

  /**
   * UTF-8, the encoding of nearly every message, without a TextDecoder: a fatal TextDecoder goes
   * through ICU and was made per message (~5% of the CPU of bench/ingest). `isUtf8` validates
   * exactly what the fatal decoder refuses (invalid bytes, overlongs, surrogates, beyond U+10FFFF),
   * after which `toString('utf8')` replaces nothing. The same verdicts: a leading BOM is dropped,
   * a character cut by a chunk end waits for the next chunk (and is refused at once when its
   * first bytes are already impossible), a cut character at the end is invalid. Null: invalid.
   */
  private decodeUtf8(chunk: Uint8Array, more: boolean): string | null {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.carry !== null) {
      bytes = Buffer.concat([this.carry, bytes]);
      this.carry = null;
    }
    const end = more ? completeEnd(bytes) : bytes.length;
    if (end < bytes.length) {
      const cut = bytes.subarray(end);
      if (!validStart(cut)) return null;
      // Copied: the caller may reuse its chunk's memory.
      this.carry = Buffer.from(cut);
    }
    if (end === 0) return '';
    const body = end === bytes.length ? bytes : bytes.subarray(0, end);
    if (!isUtf8(body)) return null;
    let text = body.toString('utf8');
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }

  private invalid(encoding: string): null {
    this.failure = finding('ENCODING_INVALID', '', `bytes are not valid ${encoding}; declare the real encoding in the XML declaration`);
    return null;
  }
}

/** Where the last complete UTF-8 character of `b` ends (b.length unless a character is cut). */
function completeEnd(b: Buffer): number {
  const n = b.length;
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const c = b[i]!;
    if (c < 0x80) return n;
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return n - i >= need ? n : i;
    }
  }
  // Only continuation bytes at the end: the validator judges them.
  return n;
}

/** Whether the first bytes of a cut character can still begin a valid UTF-8 sequence. */
function validStart(t: Buffer): boolean {
  const lead = t[0]!;
  if (lead < 0xc2 || lead > 0xf4) return false;
  if (t.length >= 2) {
    const b = t[1]!;
    const lo = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const hi = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    if (b < lo || b > hi) return false;
  }
  return t.length < 3 || (t[2]! >= 0x80 && t[2]! <= 0xbf);
}

function chooseEncoding(head: Buffer): { label: string } | { failure: Finding } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { label: 'utf-8' };
  if (head[0] === 0xff && head[1] === 0xfe) return { label: 'utf-16le' };
  if (head[0] === 0xfe && head[1] === 0xff) return { label: 'utf-16be' };
  // Without a BOM the declaration is in ASCII-compatible bytes, so latin1 reads it faithfully.
  const prolog = head.subarray(0, SNIFF_BYTES).toString('latin1');
  const declared = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(prolog)?.[1];
  if (declared === undefined) return { label: 'utf-8' };
  const label = SUPPORTED[declared.toLowerCase()];
  if (label === undefined) {
    return { failure: finding('ENCODING_UNSUPPORTED', '', `declared encoding "${declared}" is not supported`) };
  }
  return { label };
}
