// Durations in policies: one or more <number><unit> parts, units s, m, h, d, w
// ("30m", "24h", "7d", "1d12h").

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds, or undefined when the text is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  if (!/^(?:\d{1,6}[smhdw])+$/.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+)([smhdw])/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms > 0 ? ms : undefined;
}

/** Compact, largest units first, at most two parts: "1d 6h", "5h 12m", "42s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  let s = Math.floor(Math.abs(ms) / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(s / size);
    s -= n * size;
    if (n > 0 || (unit === 's' && parts.length === 0)) parts.push(`${n}${unit}`);
    if (parts.length === 2) break;
  }
  return (ms < 0 ? '-' : '') + parts.join(' ');
}
