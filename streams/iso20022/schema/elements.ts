// Element-name check against the official schemas: flags elements that no known version of the
// message defines at that place (UNEXPECTED_ELEMENT). Placeholder until the table is generated.

import type { MessageType } from '../catalogue.ts';
import type { Finding } from '../findings.ts';
import type { XNode } from '../xml/tree.ts';

/**
 * Checks a subtree: `node` is an element whose own name was already accepted, `path` its element
 * path relative to the message root ('' for the root itself, `Stmt[0]/Ntry[3]` for an entry), and
 * every descendant is checked against its parent.
 */
export function checkElements(_type: MessageType, _node: XNode, _path: string, _findings: Finding[]): void {}
