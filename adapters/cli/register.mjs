// Registers deltran's TypeScript loader (./ts-loader.mjs) for this thread: `node --import=./adapters/cli/register.mjs x.ts`
// or an import at the top of an entry. Stack traces point into the .ts sources (inline source maps).
import { register } from 'node:module';

register('./ts-loader.mjs', import.meta.url);
process.setSourceMapsEnabled(true);
