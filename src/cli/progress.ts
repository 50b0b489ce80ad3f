import cliProgress from 'cli-progress';
import type { Progress } from '../scan/scan.js';

/** A bar on stderr for layer reading, only when a person is watching. */
export function terminalProgress(enabled: boolean): Progress | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'reading layers {bar} {percentage}% | {value_mb}/{total_mb} MB',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let value = 0;
  let total = 0;
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  return {
    start(t) {
      total = t;
      if (t > 0) bar.start(t, 0, { value_mb: mb(0), total_mb: mb(t) });
    },
    advance(b) {
      value += b;
      if (total > 0) bar.update(Math.min(value, total), { value_mb: mb(value), total_mb: mb(total) });
    },
    stop() {
      if (total > 0) bar.stop();
    },
  };
}
