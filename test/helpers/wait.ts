// Waiting without fixed sleeps: on a loaded 2-CPU machine a test may only poll with a deadline.

/**
 * Polls `probe` every `everyMs` until it gives something other than false or undefined, and
 * returns that; fails after `timeoutMs` saying what it waited for.
 */
export async function until<T>(
  what: string,
  probe: () => T | false | undefined | Promise<T | false | undefined>,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
