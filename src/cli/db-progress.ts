import cliProgress from 'cli-progress';
import type { DownloadProgress } from '../vulndb/fetch.js';

/** A download bar on stderr, only when a person is watching. */
export function downloadProgress(enabled: boolean): DownloadProgress | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'downloading {feed} {bar} {percentage}% | {value_mb}/{total_mb} MB',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  let value = 0;
  let total = 0;
  let feed = '';
  return {
    start(label, t) {
      feed = label;
      value = 0;
      // without a Content-Length the bar grows with what arrives
      total = t > 0 ? t : 1;
      bar.start(total, 0, { feed, value_mb: mb(0), total_mb: t > 0 ? mb(t) : '?' });
    },
    advance(b) {
      value += b;
      if (value > total) bar.setTotal((total = value));
      bar.update(value, { feed, value_mb: mb(value) });
    },
    stop() {
      bar.stop();
    },
  };
}
