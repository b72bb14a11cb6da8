// A small element tree, built only for the parts of a message deltran reads at once: the header
// parts of a Document and one record (an Ntry, a CdtTrfTxInf ...) at a time. Names are local
// names: ISO 20022 messages live in one namespace, and prefixes differ from bank to bank.

export interface XNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  /** Text content, whitespace-trimmed when the element closes. */
  text: string;
  /** Shared and frozen (NO_CHILDREN) until the first child: most elements are leaves. */
  children: XNode[];
}

const NO_ATTRS: Readonly<Record<string, string>> = Object.freeze({});

const NO_CHILDREN: XNode[] = Object.freeze([]) as unknown as XNode[];

export function xnode(name: string, attrs: Record<string, string> | null): XNode {
  return { name, attrs: attrs ?? NO_ATTRS, text: '', children: NO_CHILDREN };
}

export function appendChild(parent: XNode, node: XNode): void {
  if (parent.children === NO_CHILDREN) parent.children = [node];
  else parent.children.push(node);
}

/** Local name of a qualified name (`camt:Ntry` → `Ntry`). */
export function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

/** First child with this local name. */
export function child(node: XNode | undefined, name: string): XNode | undefined {
  if (node === undefined) return undefined;
  for (const c of node.children) if (c.name === name) return c;
  return undefined;
}

export function children(node: XNode | undefined, name: string): XNode[] {
  if (node === undefined) return [];
  return node.children.filter((c) => c.name === name);
}

const splitCache = new Map<string, readonly string[]>();

function steps(path: string): readonly string[] {
  let s = splitCache.get(path);
  if (s === undefined) {
    s = path.split('/');
    splitCache.set(path, s);
  }
  return s;
}

/** The node at a slash-separated path of local names, following the first match at each step. */
export function at(node: XNode | undefined, path: string): XNode | undefined {
  if (path.indexOf('/') < 0) return child(node, path);
  let cur = node;
  for (const step of steps(path)) {
    cur = child(cur, step);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Text at a path, or undefined when the element is absent. An empty element yields ''. */
export function textAt(node: XNode | undefined, path: string): string | undefined {
  return at(node, path)?.text;
}
