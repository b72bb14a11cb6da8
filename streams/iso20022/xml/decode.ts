// Bytes to text, streaming. XML tokenizers take strings, so the encoding has to be settled before
// the first character reaches them: a BOM wins, then the XML declaration's `encoding`, then UTF-8.
// Decoding is fatal: a byte sequence that is invalid in the chosen encoding stops the read with a
// clear finding instead of turning into U+FFFD inside an IBAN or an amount.

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
  private decoder: TextDecoder | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  failure: Finding | null = null;

  /** Returns the text decoded so far ('' while still sniffing), or null after a failure. */
  write(chunk: Uint8Array): string | null {
    if (this.failure !== null) return null;
    if (this.decoder === null) {
      this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.pendingBytes += chunk.byteLength;
      if (this.pendingBytes < SNIFF_BYTES) return '';
      return this.start(Buffer.concat(this.pending), true);
    }
    return this.decode(chunk, true);
  }

  /** Flushes; returns the remaining text, or null after a failure (e.g. a cut multi-byte char). */
  end(): string | null {
    if (this.failure !== null) return null;
    if (this.decoder === null) return this.start(Buffer.concat(this.pending), false);
    return this.decode(new Uint8Array(0), false);
  }

  get encoding(): string | null {
    return this.decoder?.encoding ?? null;
  }

  private start(head: Buffer, more: boolean): string | null {
    this.pending = [];
    const chosen = chooseEncoding(head);
    if ('failure' in chosen) {
      this.failure = chosen.failure;
      return null;
    }
    this.decoder = new TextDecoder(chosen.label, { fatal: true, ignoreBOM: false });
    return this.decode(head, more);
  }

  private decode(bytes: Uint8Array, more: boolean): string | null {
    try {
      return this.decoder!.decode(bytes, { stream: more });
    } catch {
      this.failure = finding(
        'ENCODING_INVALID',
        '',
        `bytes are not valid ${this.decoder!.encoding.toUpperCase()}; declare the real encoding in the XML declaration`,
      );
      return null;
    }
  }
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
