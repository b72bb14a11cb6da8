// The reader thread's entry (reader-thread.ts). A worker does not inherit the loader hooks of the
// thread that started it, so it registers deltran's TypeScript loader itself (the parent starts it
// without its own flags, so a `--import=tsx` of the tests is not registered twice).
import '../../adapters/cli/register.mjs';

await import('./read-worker.ts');
