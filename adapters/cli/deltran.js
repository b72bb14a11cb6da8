#!/usr/bin/env node
// The package's command. It registers deltran's TypeScript loader (./ts-loader.mjs) so the sources
// run as they are, with no build step between `npm ci` and `npm start`.
import './register.mjs';

await import('./main.ts');
