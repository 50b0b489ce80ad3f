// One rule for decompression bombs, shared by layers, gzip-compressed archives and zip entries.

/** How far compressed input may expand. */
export interface ExpansionLimits {
  /** Expanded bytes allowed in all. */
  maxBytes: number;
  /** Expanded/stored ratio beyond which the input is taken for a decompression bomb... */
  maxRatio: number;
  /** ...once it has expanded past this many bytes (small runs of zeros are normal). */
  ratioFloorBytes: number;
}

/** Why `expanded` bytes out of `stored` compressed ones are refused; undefined within the limits. */
export function overExpansion(limits: ExpansionLimits, expanded: number, stored: number): string | undefined {
  if (expanded > limits.maxBytes) return `expands beyond the ${limits.maxBytes}-byte limit`;
  if (expanded > limits.ratioFloorBytes && expanded > limits.maxRatio * Math.max(stored, 1))
    return `expands more than ${limits.maxRatio}-fold: a decompression bomb`;
  return undefined;
}
