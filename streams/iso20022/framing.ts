// Finds ISO 20022 Documents in a token stream, whatever wraps them: a bare Document, a SWIFT
// Envelope with AppHdr, FedNow, SAA DataPDU, BusMsg, or several Documents in one file. It builds a
// small tree for each AppHdr and Document, except for record elements (Ntry, CdtTrfTxInf ...), which
// are detached and handed over one by one as they close, so memory stays flat however many there
// are. Namespaces are resolved here, and only for the elements that need them.

import { appendChild, localName, xnode, type XNode } from './xml/tree.ts';
import type { OpenTag, XmlHandler } from './xml/tokenizer.ts';

export interface FrameLimits {
  /** Deepest element nesting accepted; ISO 20022 messages inside wrappers stay below ~25. */
  readonly depthMax: number;
  /** Characters in one element's text; the largest ISO text is a few KB (signatures, Max10KText). */
  readonly textCharsMax: number;
  /** Elements in one record or one document header part, kept in memory at once. */
  readonly nodesMax: number;
}

export const DEFAULT_LIMITS: FrameLimits = { depthMax: 128, textCharsMax: 1 << 20, nodesMax: 1_000_000 };

export class FrameLimitError extends Error {
  constructor(
    readonly code: 'XML_TOO_DEEP' | 'XML_TOO_LARGE' | 'XML_DOCTYPE_FORBIDDEN',
    message: string,
  ) {
    super(message);
  }
}

export interface FrameEvents {
  /** The message root (the Document's child) opened; answer which elements to stream. */
  rootOpen(namespace: string | undefined, rootName: string, docIndex: number): Readonly<Record<string, readonly string[]>>;
  record(node: XNode, container: XNode, containerIndex: number, recordIndex: number): void;
  documentClose(doc: XNode, namespace: string | undefined, appHdr: CapturedHeader | null, docIndex: number): void;
}

export interface CapturedHeader {
  readonly node: XNode;
  readonly namespace: string | undefined;
}

type Scope = Map<string, string> | null;

export class Framer implements XmlHandler {
  private readonly scopes: Scope[] = [];
  private depth = 0;
  // The tree being built: Document or AppHdr, with the record being built on top.
  private stack: XNode[] = [];
  private captureDepth = -1;
  private capturing: 'document' | 'apphdr' | null = null;
  private docNamespace: string | undefined;
  /** Record element → parents it is a record under; null when the Document streams nothing. */
  private records: RecordList | null = null;
  private recordDepth = -1;
  private nodes = 0;
  private appHdr: CapturedHeader | null = null;
  // Records of one container arrive together, so one running counter suffices.
  private container: XNode | null = null;
  private containerOrdinal = 0;
  private recordOrdinal = 0;
  /** Characters of text since the last tag: one run is bounded wherever it is (see text()). */
  private textRun = 0;
  documents = 0;
  /** True once a Document opened and has not closed yet: a truncated input ends inside one. */
  inDocument = false;
  rootName: string | undefined;
  namespace: string | undefined;

  constructor(
    private readonly events: FrameEvents,
    private readonly limits: FrameLimits = DEFAULT_LIMITS,
  ) {}

  open(tag: OpenTag): void {
    const qname = tag.name;
    const attrs = tag.attributes;
    this.textRun = 0;
    this.depth++;
    if (this.depth > this.limits.depthMax) {
      throw new FrameLimitError('XML_TOO_DEEP', `elements nest deeper than ${this.limits.depthMax} levels`);
    }
    // Inside a Document or AppHdr no name is resolved any more, so declarations are not tracked
    // (close() pops only for the elements pushed here).
    if (this.capturing === null) this.scopes.push(declarations(attrs));
    const name = localName(qname);
    if (this.capturing === null) {
      if (name === 'Document' || name === 'AppHdr') this.startCapture(qname, name, attrs);
      return;
    }
    const node = xnode(name, attrs);
    if (++this.nodes > this.limits.nodesMax) {
      throw new FrameLimitError('XML_TOO_LARGE', `more than ${this.limits.nodesMax} elements in one record`);
    }
    const parent = this.stack[this.stack.length - 1]!;
    if (this.capturing === 'document' && this.depth === this.captureDepth + 1) {
      this.rootName = name;
      this.records = recordList(this.events.rootOpen(this.docNamespace, name, this.documents));
    }
    if (this.recordDepth < 0 && this.records !== null && isRecord(this.records, name, parent.name)) {
      this.recordDepth = this.depth;
    } else {
      appendChild(parent, node);
    }
    this.stack.push(node);
  }

  text(text: string): void {
    const max = this.limits.textCharsMax;
    this.textRun += text.length;
    if (this.capturing !== null) {
      const node = this.stack[this.stack.length - 1]!;
      // Whitespace between child elements is layout, not content.
      if (node.children.length === 0) {
        if (node.text.length + text.length > max) {
          throw new FrameLimitError('XML_TOO_LARGE', `element ${node.name} holds more than ${max} characters of text`);
        }
        node.text += text;
        return;
      }
    }
    // Text that is not kept (outside Document and AppHdr, between child elements) is bounded too:
    // sax hands a long run over in pieces, saxes holds it whole, and either way an endless run must
    // end the read rather than go on for ever.
    if (this.textRun > max) throw new FrameLimitError('XML_TOO_LARGE', `more than ${max} characters of text between two tags`);
  }

  close(): void {
    this.textRun = 0;
    const depth = this.depth--;
    if (this.capturing === null || depth === this.captureDepth) this.scopes.pop();
    if (this.capturing === null) return;
    const node = this.stack.pop()!;
    node.text = node.children.length > 0 ? '' : node.text.trim();
    if (depth === this.recordDepth) {
      this.recordDepth = -1;
      const container = this.stack[this.stack.length - 1]!;
      this.nodes = 0;
      if (container !== this.container) {
        this.container = container;
        this.containerOrdinal = this.ordinalOf(container);
        this.recordOrdinal = 0;
      }
      this.events.record(node, container, this.containerOrdinal, this.recordOrdinal++);
      return;
    }
    if (depth !== this.captureDepth) return;
    this.endCapture(node);
  }

  doctype(): void {
    throw new FrameLimitError(
      'XML_DOCTYPE_FORBIDDEN',
      'a DOCTYPE is not allowed in ISO 20022 messages (refused before any entity is expanded or fetched)',
    );
  }

  private startCapture(qname: string, name: string, attrs: Record<string, string>): void {
    this.capturing = name === 'Document' ? 'document' : 'apphdr';
    this.captureDepth = this.depth;
    this.nodes = 0;
    const node = xnode(name, attrs);
    this.stack = [node];
    const ns = this.resolve(qname);
    if (this.capturing === 'document') {
      this.docNamespace = ns;
      this.namespace = ns;
      this.rootName = undefined;
      this.records = null;
      this.inDocument = true;
    } else {
      this.appHdr = { node, namespace: ns };
    }
  }

  private endCapture(node: XNode): void {
    const kind = this.capturing;
    this.capturing = null;
    this.captureDepth = -1;
    this.stack = [];
    this.container = null;
    if (kind === 'apphdr') return;
    const appHdr = this.appHdr;
    this.appHdr = null;
    this.inDocument = false;
    this.events.documentClose(node, this.docNamespace, appHdr, this.documents++);
  }

  /** Namespace URI of a qualified name, from the declarations in scope (undefined if unbound). */
  private resolve(qname: string): string | undefined {
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const uri = this.scopes[i]?.get(prefix);
      if (uri !== undefined) return uri === '' ? undefined : uri;
    }
    return undefined;
  }

  /** Ordinal of a container among its same-named siblings (Stmt[2], PmtInf[5]). */
  private ordinalOf(container: XNode): number {
    const grand = this.stack[this.stack.length - 2];
    let i = 0;
    if (grand !== undefined) {
      for (const c of grand.children) {
        if (c === container) break;
        if (c.name === container.name) i++;
      }
    }
    return i;
  }
}

/**
 * Record element names with their parents, as a list: a message type has one or two, and comparing
 * a name with them (length first) is cheaper than hashing every element name into a Map. A list also
 * keeps `constructor` and friends from ever reaching Object.prototype.
 */
type RecordList = readonly (readonly [name: string, parents: readonly string[]])[];

const recordLists = new WeakMap<object, RecordList | null>();

function recordList(records: Readonly<Record<string, readonly string[]>>): RecordList | null {
  let list = recordLists.get(records);
  if (list === undefined) {
    const entries = Object.entries(records);
    list = entries.length === 0 ? null : entries;
    recordLists.set(records, list);
  }
  return list;
}

function isRecord(records: RecordList, name: string, parent: string): boolean {
  for (let i = 0; i < records.length; i++) {
    const [record, parents] = records[i]!;
    if (record === name) return parents.includes(parent);
  }
  return false;
}

function declarations(attrs: Record<string, string>): Scope {
  let scope: Scope = null;
  for (const key in attrs) {
    if (key === 'xmlns') (scope ??= new Map()).set('', attrs[key]!);
    else if (key.startsWith('xmlns:')) (scope ??= new Map()).set(key.slice(6), attrs[key]!);
  }
  return scope;
}
