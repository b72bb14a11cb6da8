// The reader thread's entry (reader-thread.ts). A worker does not inherit loader hooks registered
// through tsx's API (adapters/cli/deltran.js), so it registers them itself; the parent leaves its
// own tsx flags out of the worker's execArgv so they are never registered twice.
import { register } from 'tsx/esm/api';

register();
await import('./read-worker.ts');
