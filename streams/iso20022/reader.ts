// The ISO 20022 reader: bytes in, one result per Document out. It decodes, tokenizes, frames and
// maps in one streaming pass; records (entries, transactions) are mapped, validated and summed as
// they close, and kept only when the caller wants the whole model. Nothing here throws for bad
// input: every problem ends up as a finding on a result.

import { createReadStream } from 'node:fs';
import {
  MESSAGES,
  isSupported,
  parseMessageId,
  parseNamespace,
  typeOfRoot,
  versionSupported,
  type MessageId,
  type MessageType,
} from './catalogue.ts';
import { finding, hasError, type Finding } from './findings.ts';
import { DEFAULT_LIMITS, FrameLimitError, Framer, type CapturedHeader, type FrameEvents, type FrameLimits } from './framing.ts';
import { appHeader } from './messages/app-header.ts';
import { mapContext, type MapContext } from './messages/context.ts';
import { MAPPERS } from './messages/index.ts';
import type { MessageMapper, RecordBuckets } from './messages/mapper.ts';
import type { AppHeader, Iso20022Message } from './model.ts';
import { checkElements } from './schema/elements.ts';
import { summarizerFor, type Summarizer, type Summary } from './summary.ts';
import { validatorFor, type MessageValidator } from './validate/index.ts';
import { familyOf } from './versions.ts';
import { ByteDecoder } from './xml/decode.ts';
import { createTokenizer, tokenizerKindFromEnv, XmlSyntaxError, type TokenizerKind } from './xml/tokenizer.ts';
import type { XNode } from './xml/tree.ts';

export interface ReadResult {
  /** Ordinal of the Document in the input (0 for the first). */
  readonly index: number;
  readonly type: MessageType | null;
  /** Full identifier from the namespace, e.g. `camt.054.001.08`; null when it has none. */
  readonly version: string | null;
  readonly messageId: string | null;
  readonly message: Iso20022Message | null;
  readonly appHeader: AppHeader | null;
  readonly summary: Summary | null;
  readonly findings: readonly Finding[];
  /** False when any finding is an error. */
  readonly ok: boolean;
}

export interface RecordEvent {
  readonly documentIndex: number;
  readonly type: MessageType;
  readonly path: string;
  readonly containerIndex: number;
  readonly record: unknown;
}

export interface ReadOptions {
  readonly tokenizer?: TokenizerKind;
  /** Keep records in the returned model (default true). Turn off for huge files. */
  readonly keepRecords?: boolean;
  /** Run the validator (default true). */
  readonly validate?: boolean;
  /** Compute `summary` (default true); without it every result's summary is null. */
  readonly summarize?: boolean;
  readonly limits?: FrameLimits;
  readonly onRecord?: (event: RecordEvent) => void;
  readonly onResult?: (result: ReadResult) => void;
}

/** One Document being read: its identity, mapper and the folds running over its records. */
interface DocState {
  readonly type: MessageType;
  readonly id: MessageId;
  readonly mapper: MessageMapper;
  readonly ctx: MapContext;
  readonly buckets: RecordBuckets;
  readonly validator: MessageValidator | null;
  readonly summarizer: Summarizer | null;
}

export class MessageReader implements FrameEvents {
  /** Made on the first bytes: text input (strings) needs no decoding. */
  private decoderOrNull: ByteDecoder | null = null;
  private readonly framer: Framer;
  private readonly tokenizer;
  private readonly results: ReadResult[] = [];
  private doc: DocState | null = null;
  /** Findings about the Document being read that precede its mapping (namespace, root ...). */
  private docFindings: Finding[] = [];
  private docType: MessageType | null = null;
  private docVersion: string | null = null;
  private failed = false;
  private sawInput = false;

  constructor(private readonly options: ReadOptions = {}) {
    const limits = options.limits ?? DEFAULT_LIMITS;
    // The reader is the framer's event sink itself: no closures per message on the hot path.
    this.framer = new Framer(this, options.limits ?? DEFAULT_LIMITS);
    this.tokenizer = createTokenizer(options.tokenizer ?? tokenizerKindFromEnv(), this.framer, limits.textCharsMax);
  }

  /** True once a fatal problem stopped the reading: further input is ignored, so need not be read. */
  get stopped(): boolean {
    return this.failed;
  }

  write(chunk: Uint8Array | string): void {
    if (this.failed) return;
    if (typeof chunk === 'string') return this.feed(chunk);
    if (chunk.byteLength === 0) return;
    const decoder = (this.decoderOrNull ??= new ByteDecoder());
    const text = decoder.write(chunk);
    if (text === null) return this.fail(decoder.failure!);
    this.feed(text);
  }

  /** Ends the input and returns every result, in document order. */
  end(): ReadResult[] {
    const decoder = this.decoderOrNull;
    if (!this.failed && decoder !== null) {
      const text = decoder.end();
      if (text === null) this.fail(decoder.failure!);
      else this.feed(text);
    }
    if (!this.failed) {
      if (!this.sawInput) this.fail(finding('INPUT_EMPTY', '', 'the input holds no XML'));
      else this.guard(() => this.tokenizer.close());
    }
    if (!this.failed && this.framer.documents === 0) {
      this.emit(this.bareResult([finding('DOCUMENT_MISSING', '', 'no ISO 20022 Document element in the input')]));
    }
    return this.results;
  }

  private feed(text: string): void {
    if (text.length === 0) return;
    if (!this.sawInput && text.trim() === '') return;
    this.sawInput = true;
    this.guard(() => this.tokenizer.write(text));
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (err instanceof XmlSyntaxError) {
        this.fail(finding('XML_MALFORMED', '', `${err.message} (line ${err.line}, column ${err.column})`));
      } else if (err instanceof FrameLimitError) {
        this.fail(finding(err.code, '', err.message));
      } else {
        throw err;
      }
    }
  }

  /** A fatal problem: the Document being read (or the input) gets one result, and reading stops. */
  private fail(f: Finding): void {
    this.failed = true;
    if (this.framer.inDocument) {
      this.emit(this.bareResult([...this.docFindings, f], this.docType, this.docVersion));
    } else {
      this.emit(this.bareResult([f]));
    }
  }

  /** @internal FrameEvents */
  rootOpen(namespace: string | undefined, root: string): Readonly<Record<string, readonly string[]>> {
    this.doc = null;
    this.docFindings = [];
    const ns = parseNamespace(namespace);
    const sniffed = typeOfRoot(root) ?? null;
    if (!ns.ok) {
      this.docType = sniffed;
      this.docVersion = null;
      this.docFindings.push(finding(ns.code, 'Document', namespaceMessage(ns.code, namespace, root, sniffed)));
      return {};
    }
    const id = ns.message;
    this.docVersion = id.id;
    if (!isSupported(id.type)) {
      this.docType = null;
      this.docFindings.push(finding('MESSAGE_UNSUPPORTED', 'Document', `deltran does not read ${id.type} (${id.id})`));
      return {};
    }
    const type = id.type;
    this.docType = type;
    if (!versionSupported(type, id)) {
      this.docFindings.push(finding('VERSION_UNSUPPORTED', 'Document', `${id.id} is outside the versions of ${type} deltran reads`));
      return {};
    }
    const spec = MESSAGES[type];
    if (root !== spec.root) {
      this.docFindings.push(finding('ROOT_MISMATCH', root, `a ${id.id} Document holds ${spec.root}, not ${root}`));
      return {};
    }
    const findings: Finding[] = [];
    const validate = this.options.validate !== false;
    this.doc = {
      type,
      id,
      mapper: MAPPERS[type],
      ctx: mapContext(type, familyOf(type), id.version, findings),
      buckets: { kept: new Map(), counts: new Map() },
      validator: validate ? validatorFor(type, id) : null,
      summarizer: this.options.summarize === false ? null : summarizerFor(type),
    };
    return spec.records;
  }

  /** @internal FrameEvents */
  record(node: XNode, container: XNode, containerIndex: number, recordIndex: number): void {
    const doc = this.doc;
    if (doc === null) return;
    const path = doc.mapper.recordPath(container, containerIndex, recordIndex);
    const rec = doc.mapper.record(doc.ctx, node, path, recordIndex);
    checkElements(doc.type, node, path, doc.ctx.findings);
    const { buckets } = doc;
    buckets.counts.set(containerIndex, (buckets.counts.get(containerIndex) ?? 0) + 1);
    if (this.options.keepRecords !== false) {
      let kept = buckets.kept.get(containerIndex);
      if (kept === undefined) buckets.kept.set(containerIndex, (kept = []));
      kept.push(rec);
    }
    doc.validator?.record(rec, path, containerIndex);
    doc.summarizer?.record(rec);
    this.options.onRecord?.({ documentIndex: this.framer.documents, type: doc.type, path, containerIndex, record: rec });
  }

  /** @internal FrameEvents */
  documentClose(node: XNode, _ns: string | undefined, hdr: CapturedHeader | null, index: number): void {
    const header = hdr === null ? null : appHeader(hdr);
    const doc = this.doc;
    this.doc = null;
    if (node.children.length === 0) {
      const f = finding('DOCUMENT_EMPTY', 'Document', 'the Document element holds no message');
      // An empty Document is never judged on its namespace: the emptiness is the problem.
      this.emit({ ...this.bareResult([f], this.docType, this.docVersion, index), appHeader: header });
      return;
    }
    if (doc === null) {
      this.emit({ ...this.bareResult(this.docFindings, this.docType, this.docVersion, index), appHeader: header });
      return;
    }
    const root = node.children[0]!;
    checkElements(doc.type, root, '', doc.ctx.findings);
    const message = doc.mapper.message(doc.ctx, root, doc.buckets);
    const findings = [...this.docFindings, ...doc.ctx.findings];
    if (header !== null) findings.push(...checkAppHeader(header, doc.id));
    if (doc.validator !== null) findings.push(...doc.validator.finish(message));
    this.emit({
      index,
      type: doc.type,
      version: doc.id.id,
      messageId: messageIdOf(message),
      message,
      appHeader: header,
      summary: doc.summarizer?.finish(message) ?? null,
      findings,
      ok: !hasError(findings),
    });
  }

  private bareResult(findings: Finding[], type: MessageType | null = null, version: string | null = null, index = this.results.length): ReadResult {
    return { index, type, version, messageId: null, message: null, appHeader: null, summary: null, findings, ok: !hasError(findings) };
  }

  private emit(result: ReadResult): void {
    this.results.push(result);
    this.options.onResult?.(result);
  }
}

function namespaceMessage(code: string, ns: string | undefined, root: string, sniffed: MessageType | null): string {
  const looks = sniffed === null ? '' : ` (${root} looks like ${sniffed})`;
  if (code === 'NAMESPACE_MISSING') return `the Document has no namespace, so its message version is unknown${looks}`;
  if (code === 'NAMESPACE_UNVERSIONED') return `namespace "${ns}" names no message version${looks}`;
  return `namespace "${ns}" is not an ISO 20022 message namespace${looks}`;
}

function checkAppHeader(header: AppHeader, id: MessageId): Finding[] {
  const def = header.messageDefinitionId;
  if (def === undefined) return [];
  const declared = parseMessageId(def);
  if (declared.id === id.id) return [];
  return [finding('APPHDR_MISMATCH', 'AppHdr/MsgDefIdr', `the header says ${def} but the Document is ${id.id}; the Document namespace is used`)];
}

function messageIdOf(m: Iso20022Message): string | null {
  if ((m.type === 'camt.056' || m.type === 'camt.029') && m.header.messageId === undefined) return m.assignmentId ?? null;
  return m.header.messageId ?? null;
}

/** Reads a whole input held in memory. */
export function readBuffer(input: Uint8Array | string, options: ReadOptions = {}): ReadResult[] {
  const reader = new MessageReader(options);
  reader.write(input);
  return reader.end();
}

/** Reads a stream chunk by chunk; results are returned at the end and also passed to onResult. */
export async function readStream(stream: AsyncIterable<Uint8Array | string>, options: ReadOptions = {}): Promise<ReadResult[]> {
  const reader = new MessageReader(options);
  for await (const chunk of stream) {
    reader.write(chunk);
    // After a fatal problem nothing more is read: a hostile stream may not end at all.
    if (reader.stopped) break;
  }
  return reader.end();
}

/** Reads a file. An unreadable file is a result with INPUT_UNREADABLE, not an exception. */
export async function readFile(path: string, options: ReadOptions = {}): Promise<ReadResult[]> {
  const reader = new MessageReader(options);
  const stream = createReadStream(path, { highWaterMark: 1 << 16 });
  const chunks = stream[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await chunks.next();
    } catch (err) {
      const f = finding('INPUT_UNREADABLE', '', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      const r: ReadResult = { index: 0, type: null, version: null, messageId: null, message: null, appHeader: null, summary: null, findings: [f], ok: false };
      options.onResult?.(r);
      return [r];
    }
    if (next.done === true) break;
    reader.write(next.value);
    if (reader.stopped) {
      stream.destroy();
      break;
    }
  }
  return reader.end();
}
