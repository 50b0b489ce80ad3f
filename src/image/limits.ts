import type { ExpansionLimits } from '../core/expansion.js';

// The user's limits on what a scan reads (--max-layer-size, --max-file-size, --max-ratio…):
// the walker applies them, and it hands them on to every analyzer's `wants` and `parse`.

export interface Limits {
  /** Uncompressed bytes one layer may expand to. */
  maxLayerBytes: number;
  /** Bytes one analysed file may have. */
  maxFileBytes: number;
  /** Uncompressed/stored ratio beyond which a large layer is taken for a decompression bomb... */
  maxRatio: number;
  /** ...once it has expanded past this many bytes (small layers of zeros are normal). */
  ratioFloorBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxLayerBytes: 32 * 2 ** 30,
  maxFileBytes: 512 * 2 ** 20,
  maxRatio: 200,
  ratioFloorBytes: 2 ** 30,
};

/** What one layer (or one gzip-compressed image archive) may expand to. */
export function layerExpansion(limits: Limits): ExpansionLimits {
  return { maxBytes: limits.maxLayerBytes, maxRatio: limits.maxRatio, ratioFloorBytes: limits.ratioFloorBytes };
}
