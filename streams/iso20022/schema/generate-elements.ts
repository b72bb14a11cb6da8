// Builds elements.json, the table checkElements() reads: for each message type deltran reads, which
// child element names each element name may hold, as the UNION over every version of that message
// we have a schema for. A message arrives in many versions (camt.053 .02 to .13 ...), and an element
// that exists in any of them is not flagged; only names no version defines at that place are.
//
//   node --import=tsx streams/iso20022/schema/generate-elements.ts ../shared/iso20022/xsd streams/iso20022/schema/types
//
// Inputs are files or directories of:
//   - official ISO 20022 XSDs (*.xsd): xs:sequence / xs:choice / xs:group / xs:extension /
//     xs:simpleContent are followed; xs:any makes the element's content free (SupplementaryData
//     Envlp, Sgntr ...), recorded in `_any`, and the checker skips it;
//   - condensed transcriptions of official XSDs (*.types), one complexType per line:
//       # ns urn:iso:std:iso:20022:tech:xsd:camt.053.001.13
//       Document: BkToCstmrStmt=BankToCustomerStatementV13
//       AccountStatement14: Id=Max35Text StmtPgntn=Pagination1 ... Ntry=ReportEntry15
//       SupplementaryDataEnvelope1: *
//     Used for XSDs read through the code-search tool (see SOURCES.md): only their element-content
//     complexTypes are transcribed, and only those no earlier input defines. A type a file
//     references but does not define is taken from the other inputs: ISO 20022 message component
//     names (PostalAddress24, ReportEntry14 ...) are registry-wide and never redefined.
//
// Inputs of the committed elements.json (SOURCES.md has the details):
//   /work/shared/iso20022/xsd/*.xsd: the 21 official message XSDs of the shared corpus (head.001 is skipped)
//   streams/iso20022/schema/types/*.types, condensed by hand from XSDs in stored public GitHub repositories:
//     camt.052.001.13  teghnet/iso20022          xsd/camt.052.001.13.xsd                                          c7e08203f4736097cf11f914d1b045058719b052
//     camt.053.001.13  teghnet/iso20022          xsd/camt.053.001.13.xsd                                          c7e08203f4736097cf11f914d1b045058719b052
//     camt.054.001.13  teghnet/iso20022          xsd/camt.054.001.13.xsd                                          c7e08203f4736097cf11f914d1b045058719b052
//     camt.056.001.12  teghnet/iso20022          xsd/camt.056.001.12.xsd                                          c7e08203f4736097cf11f914d1b045058719b052
//     camt.029.001.12  phoughton/pyiso20022      xsd/cash_management/camt.029/camt.029.001.12.xsd                 60af6fce7e5504fec61dcfb30dbf17ff67dba40d
//     pacs.002.001.08  prog-nov/iso20022-struct-go xsd/pacs.002.001.08.xsd                                        b105620042e86826436edfdc45fdfa079b19894e
//     pacs.008.001.13  phoughton/pyiso20022      xsd/payments_clearing_and_settlement/pacs.008/pacs.008.001.13.xsd 22ee422418c20e09c634eee6f16cc978fde4fe88
//     pacs.009.001.12  phoughton/pyiso20022      xsd/payments_clearing_and_settlement/pacs.009/pacs.009.001.12.xsd 22ee422418c20e09c634eee6f16cc978fde4fe88
//     pain.002.001.14  sebastienrousseau/pain001 pain001/pain002/schemas/pain.002.001.14.xsd                      860b4cafab240c18a1d7bc34e33e58f9e83494ec
//   Rebuild: put the .types files (or the full XSDs, read the same way) under streams/iso20022/schema/types and run
//   node --import=tsx streams/iso20022/schema/generate-elements.ts ../shared/iso20022/xsd streams/iso20022/schema/types

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SaxesParser } from 'saxes';
import { MESSAGES, parseNamespace, type MessageType } from '../catalogue.ts';

/** One complexType: its element particles (name → type), the groups and base it pulls in. */
interface TypeDef {
  readonly elements: Array<readonly [string, string | null]>;
  readonly groups: string[];
  base: string | null;
  any: boolean;
}

interface SchemaFile {
  readonly path: string;
  readonly id: string;
  readonly type: MessageType;
  readonly types: Map<string, TypeDef>;
  readonly groups: Map<string, TypeDef>;
  /** Global elements: name → type (Document → Document). */
  readonly roots: Map<string, string | null>;
}

const local = (q: string): string => q.slice(q.indexOf(':') + 1);

function parseXsd(path: string, text: string): Omit<SchemaFile, 'type' | 'id'> & { ns: string | undefined } {
  const types = new Map<string, TypeDef>();
  const groups = new Map<string, TypeDef>();
  const roots = new Map<string, string | null>();
  let ns: string | undefined;
  // Open XSD elements; for each, the definition (complexType or group) it belongs to, and for
  // xs:element the slot its type goes to (an anonymous complexType below it fills the slot).
  interface Frame {
    readonly def: TypeDef | null;
    readonly slot: ((type: string) => void) | null;
  }
  const stack: Frame[] = [];
  let anon = 0;
  const parser = new SaxesParser({ xmlns: false });
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    const a = tag.attributes as Record<string, string>;
    const top = stack[stack.length - 1];
    const def = top?.def ?? null;
    if (name === 'schema') ns = a['targetNamespace'];
    if (name === 'complexType' || (name === 'group' && a['name'] !== undefined)) {
      const d: TypeDef = { elements: [], groups: [], base: null, any: false };
      const typeName = a['name'] ?? `#anon${anon++}`;
      (name === 'group' ? groups : types).set(typeName, d);
      if (a['name'] === undefined) top?.slot?.(typeName);
      if (a['mixed'] === 'true') d.any = true;
      stack.push({ def: d, slot: null });
      return;
    }
    let slot: ((type: string) => void) | null = null;
    if (name === 'element') {
      const elName = a['name'] ?? (a['ref'] === undefined ? undefined : local(a['ref']));
      if (elName !== undefined) {
        const elType = a['type'] === undefined ? null : local(a['type']);
        if (def === null) {
          roots.set(elName, elType);
          slot = (t) => roots.set(elName, t);
        } else {
          const entry: [string, string | null] = [elName, elType];
          def.elements.push(entry);
          slot = (t) => (entry[1] = t);
        }
      }
    } else if (def !== null) {
      if (name === 'any') def.any = true;
      else if (name === 'group' && a['ref'] !== undefined) def.groups.push(local(a['ref']));
      else if ((name === 'extension' || name === 'restriction') && a['base'] !== undefined && !a['base'].startsWith('xs:')) {
        def.base = local(a['base']);
      }
    }
    stack.push({ def, slot });
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(text).close();
  return { path, types, groups, roots, ns };
}

/** The condensed form described at the top. */
function parseTypes(path: string, text: string): Omit<SchemaFile, 'type' | 'id'> & { ns: string | undefined } {
  const types = new Map<string, TypeDef>();
  const roots = new Map<string, string | null>();
  let ns: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*ns\s+(\S+)/.exec(line);
      if (m !== null) ns = m[1];
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) throw new Error(`${path}: bad line ${line}`);
    const name = line.slice(0, colon).trim();
    const body = line.slice(colon + 1).trim();
    const def: TypeDef = { elements: [], groups: [], base: null, any: false };
    for (const part of body.split(/\s+/)) {
      if (part === '') continue;
      if (part === '*') def.any = true;
      else if (part.startsWith('+')) def.base = part.slice(1);
      else {
        const eq = part.indexOf('=');
        if (eq < 0) throw new Error(`${path}: bad particle ${part} in ${name}`);
        def.elements.push([part.slice(0, eq), part.slice(eq + 1)]);
      }
    }
    if (name === 'Document' && def.elements.length === 1) roots.set('Document', 'Document');
    types.set(name, def);
  }
  return { path, types, groups: new Map(), roots, ns };
}

function listInputs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (statSync(arg).isDirectory()) {
      for (const f of readdirSync(arg).sort()) if (/\.(xsd|types)$/.test(f)) out.push(join(arg, f));
    } else out.push(arg);
  }
  return out;
}

// Names of ISO 20022 simple types (and simpleContent amounts), for the unresolved-type report only.
const SIMPLE_LOOKING =
  /(Text|Code|Identifier|Indicator|Number|Rate|Amount|Date|DateTime|Time|Year|YearMonth|Month|Decimal|Quantity|Fraction|Percentage|Binary|Boolean|_SimpleType|Max\d+\w*)(-\w+)?$/;

export function load(args: readonly string[]): SchemaFile[] {
  const files: SchemaFile[] = [];
  for (const path of listInputs(args)) {
    const text = readFileSync(path, 'utf8');
    const parsed = path.endsWith('.types') ? parseTypes(path, text) : parseXsd(path, text);
    const ns = parseNamespace(parsed.ns);
    if (!ns.ok) {
      process.stderr.write(`skip ${path}: no ISO 20022 target namespace\n`);
      continue;
    }
    const type = ns.message.type;
    if (!Object.hasOwn(MESSAGES, type)) {
      process.stderr.write(`skip ${path}: ${ns.message.id} is not a message deltran reads\n`);
      continue;
    }
    files.push({ path, id: ns.message.id, type: type as MessageType, types: parsed.types, groups: parsed.groups, roots: parsed.roots });
  }
  return files;
}

export interface MessageTable {
  readonly versions: string[];
  readonly any: Set<string>;
  readonly children: Map<string, Set<string>>;
}

export function build(files: readonly SchemaFile[]): { tables: Map<MessageType, MessageTable>; unresolved: Map<string, Set<string>> } {
  // Registry-wide pool, for condensed files that leave out types an earlier input defines.
  const pool = new Map<string, TypeDef>();
  const groupPool = new Map<string, TypeDef>();
  for (const f of files) {
    for (const [n, d] of f.types) if (!pool.has(n) && !n.startsWith('#')) pool.set(n, d);
    for (const [n, d] of f.groups) if (!groupPool.has(n)) groupPool.set(n, d);
  }
  const tables = new Map<MessageType, MessageTable>();
  const unresolved = new Map<string, Set<string>>();
  for (const f of files) {
    let table = tables.get(f.type);
    if (table === undefined) tables.set(f.type, (table = { versions: [], any: new Set(), children: new Map() }));
    if (!table.versions.includes(f.id)) table.versions.push(f.id);
    const resolve = (t: string): TypeDef | undefined => f.types.get(t) ?? pool.get(t);
    const missing = (t: string): void => {
      if (SIMPLE_LOOKING.test(t)) return;
      let s = unresolved.get(f.path);
      if (s === undefined) unresolved.set(f.path, (s = new Set()));
      s.add(t);
    };
    /** Element particles of a type, following extension bases and group references. */
    const particles = (def: TypeDef, seen: Set<TypeDef> = new Set()): { elements: Array<readonly [string, string | null]>; any: boolean } => {
      if (seen.has(def)) return { elements: [], any: false };
      seen.add(def);
      const elements = [...def.elements];
      let any = def.any;
      for (const g of def.groups) {
        const gd = f.groups.get(g) ?? groupPool.get(g);
        if (gd === undefined) missing(`group ${g}`);
        else {
          const p = particles(gd, seen);
          elements.push(...p.elements);
          any ||= p.any;
        }
      }
      if (def.base !== null) {
        const bd = resolve(def.base);
        if (bd !== undefined) {
          const p = particles(bd, seen);
          elements.push(...p.elements);
          any ||= p.any;
        }
      }
      return { elements, any };
    };
    const visited = new Set<string>();
    const visit = (elName: string, typeName: string | null): void => {
      if (typeName === null) return;
      const key = `${elName}\u0000${typeName}`;
      if (visited.has(key)) return;
      visited.add(key);
      const def = resolve(typeName);
      if (def === undefined) return missing(typeName);
      const p = particles(def);
      if (p.any) table.any.add(elName);
      if (p.elements.length === 0) return;
      let set = table.children.get(elName);
      if (set === undefined) table.children.set(elName, (set = new Set()));
      for (const [child, childType] of p.elements) {
        set.add(child);
        visit(child, childType);
      }
    };
    const docType = f.roots.get('Document');
    if (docType === undefined) {
      process.stderr.write(`${f.path}: no Document element\n`);
      continue;
    }
    visit('Document', docType);
  }
  return { tables, unresolved };
}

const ORDER: readonly MessageType[] = Object.keys(MESSAGES) as MessageType[];

function versionKey(id: string): string {
  return id.replace(/\d+/g, (d) => d.padStart(3, '0'));
}

export function render(tables: Map<MessageType, MessageTable>): string {
  const blocks: string[] = [];
  for (const type of ORDER) {
    const t = tables.get(type);
    if (t === undefined) continue;
    const lines: string[] = [];
    const versions = [...t.versions].sort((a, b) => versionKey(a).localeCompare(versionKey(b)));
    lines.push(`  "_versions": ${JSON.stringify(versions)}`);
    lines.push(`  "_any": ${JSON.stringify([...t.any].sort())}`);
    for (const parent of [...t.children.keys()].sort()) {
      if (parent === 'Document') continue;
      lines.push(`  ${JSON.stringify(parent)}: ${JSON.stringify([...t.children.get(parent)!].sort())}`);
    }
    blocks.push(`"${type}": {\n${lines.map((l) => `  ${l}`).join(',\n')}\n  }`);
  }
  return `{\n  ${blocks.join(',\n  ')}\n}\n`;
}

function main(args: string[]): void {
  if (args.length === 0) {
    process.stderr.write('usage: generate-elements.ts <xsd or .types files or directories...>\n');
    process.exit(2);
  }
  const files = load(args);
  const { tables, unresolved } = build(files);
  for (const [path, names] of unresolved) {
    process.stderr.write(`${path}: unresolved complex-looking types: ${[...names].sort().join(' ')}\n`);
  }
  const out = join(dirname(fileURLToPath(import.meta.url)), 'elements.json');
  writeFileSync(out, render(tables));
  for (const type of ORDER) {
    const t = tables.get(type);
    if (t !== undefined) process.stdout.write(`${type}: ${t.versions.length} versions, ${t.children.size} parents\n`);
  }
  process.stdout.write(`wrote ${out}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
