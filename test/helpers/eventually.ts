// Waiting for something the service does after it answered (a mint sent by a hook, rows written
// by a projection): poll until the probe returns a value, fail with what was awaited.

export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 5_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
