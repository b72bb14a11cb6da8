// Where the shared ISO 20022 material lives: `../shared` beside the checkout (CI has it there too),
// or DELTRAN_SHARED. Tests read the samples in place; they are never copied into the project.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SHARED = process.env['DELTRAN_SHARED'] ?? resolve(root, '..', 'shared');
export const SAMPLES = join(SHARED, 'iso20022', 'samples');
export const XSD = join(SHARED, 'iso20022', 'xsd');
export const REPO = root;

if (!existsSync(SAMPLES)) {
  throw new Error(`ISO 20022 samples not found at ${SAMPLES}: put the shared folder beside the checkout or set DELTRAN_SHARED`);
}

export function sample(relative: string): string {
  return join(SAMPLES, relative);
}
