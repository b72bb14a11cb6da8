#!/usr/bin/env node
// The package's command. It registers the tsx loader so the TypeScript sources run as they are,
// with no build step between `npm ci` and `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
