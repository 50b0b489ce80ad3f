// Tests wait on a condition, never for a fixed time: poll until it holds, and fail naming
// what was awaited when the deadline passes.

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Time between two looks (default 100 ms). */
  intervalMs?: number;
}

export async function waitUntil(
  what: string,
  ok: () => boolean | Promise<boolean>,
  opts: WaitOptions = {},
): Promise<void> {
  const { timeoutMs = 10_000, intervalMs = 100 } = opts;
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * For scenarios where a delay is the point ("stays gone", "stays quiet"): looks at `check`
 * every intervalMs (default 100 ms) for windowMs, and throws at the first look where it fails.
 */
export async function holdsThroughout(
  what: string,
  windowMs: number,
  check: () => void | Promise<void>,
  intervalMs = 100,
): Promise<void> {
  const end = Date.now() + windowMs;
  for (let look = 1; ; look++) {
    try {
      await check();
    } catch (e) {
      throw new Error(
        `${what} stopped holding at look ${look} of a ${windowMs} ms window: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
    if (Date.now() >= end) return;
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, end - Date.now()))));
  }
}
