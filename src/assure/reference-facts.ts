import type { ImageFacts } from '../policy/facts.js';
import { formatReference, parseReference, type Reference } from '../registry/reference.js';

// The one place an image reference becomes what a policy matches: parseReference gives
// its canonical spelling (host case, default ports, Docker Hub's names), so every
// spelling of one image meets allow, deny, registries, mutableTags and requireDigest alike.

export type ReferenceFacts = Pick<ImageFacts, 'reference' | 'registry' | 'repository' | 'tag' | 'pinned'>;

export function referenceFacts(ref: Reference | string): ReferenceFacts {
  const r = typeof ref === 'string' ? parseReference(ref) : ref;
  return {
    reference: formatReference(r),
    registry: r.registry,
    repository: r.repository,
    ...(r.tag ? { tag: r.tag } : {}),
    pinned: r.digest !== undefined,
  };
}
