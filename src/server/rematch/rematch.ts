import type { Finding, Inventory, ScanIssue } from '../../core/types.js';
import { matchInventory, type AdvisorySource } from '../../match/matcher.js';
import { cachedSource } from './cached-source.js';
import { diffFindings, type FindingsDiff, type StoredFinding } from './diff.js';

// Continuous re-matching: after a DB update every stored inventory is matched again (no
// image is pulled) and compared with what the store holds for it. One image at a time, so
// memory stays that of one inventory plus the advisory cache, whatever the fleet's size.

export interface StoredImage {
  digest: string;
  inventory: Inventory;
}

export interface ImageRematch extends FindingsDiff {
  digest: string;
  /** The image's findings against the new DB: what the store keeps from now on. */
  findings: Finding[];
  issues: ScanIssue[];
}

/** The store's answer: an image's findings as of the previous match ([] when never matched). */
export type PreviousFindings = (digest: string) => Promise<readonly StoredFinding[]>;

/**
 * Re-matches each image against `source` (the new DB) and yields its diff. The caller
 * decides what to do with an empty diff (skip) and stores `findings` before pulling the next.
 */
export async function* rematchAll(
  images: AsyncIterable<StoredImage> | Iterable<StoredImage>,
  source: AdvisorySource,
  previous: PreviousFindings,
): AsyncGenerator<ImageRematch> {
  const cached = cachedSource(source);
  for await (const { digest, inventory } of images) {
    const before = await previous(digest);
    const { findings, issues } = matchInventory(inventory, cached);
    yield { digest, findings, issues, ...diffFindings(before, findings) };
  }
}
