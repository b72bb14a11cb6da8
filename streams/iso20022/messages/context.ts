// What a mapper knows while it turns an element tree into the model: the message's family and
// version (to pick element names through the version table) and where to put what it notices.

import { finding, type Finding } from '../findings.ts';
import { child, type XNode } from '../xml/tree.ts';
import { fieldTable, type Family, type Field, type FieldTable } from '../versions.ts';

export interface MapContext {
  readonly type: string;
  readonly family: Family;
  readonly version: number;
  readonly findings: Finding[];
  /** Fields already flagged as read under another version's name: one warning per field. */
  readonly flagged: Set<Field>;
  /** The version table resolved for this message's version. */
  readonly paths: FieldTable;
}

export function mapContext(type: string, family: Family, version: number, findings: Finding[]): MapContext {
  return { type, family, version, findings, flagged: new Set(), paths: fieldTable(family, version) };
}

/** Reads a renamed field tolerantly, flagging a name that belongs to another version. */
export function pick(ctx: MapContext, node: XNode | undefined, field: Field, path: string): XNode | undefined {
  if (node === undefined) return undefined;
  const fp = ctx.paths.get(field);
  if (fp === undefined) return undefined;
  const { candidates, steps } = fp;
  for (let i = 0; i < candidates.length; i++) {
    const found = walk(node, steps[i]!);
    if (found === undefined) continue;
    const candidate = candidates[i]!;
    if (candidate !== fp.own && !ctx.flagged.has(field)) {
      ctx.flagged.add(field);
      const own = fp.own === undefined ? 'no such element' : `\`${fp.own}\``;
      ctx.findings.push(
        finding(
          'VERSION_ELEMENT',
          `${path}/${candidate}`,
          `\`${candidate}\` belongs to another version of ${ctx.type}; version ${pad(ctx.version)} has ${own}`,
        ),
      );
    }
    return found;
  }
  return undefined;
}

function walk(node: XNode, steps: readonly string[]): XNode | undefined {
  let cur: XNode | undefined = node;
  for (let i = 0; i < steps.length && cur !== undefined; i++) cur = child(cur, steps[i]!);
  return cur;
}

function pad(v: number): string {
  return String(v).padStart(2, '0');
}
