// Tests wait on a condition, never for a fixed time: poll until it holds, and fail naming
// what was awaited when the deadline passes.

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Time between two looks (default 100 ms). */
  intervalMs?: number;
}

export async function waitUntil(what: string, ok: () => boolean | Promise<boolean>, opts: WaitOptions = {}): Promise<void> {
  const { timeoutMs = 10_000, intervalMs = 100 } = opts;
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
