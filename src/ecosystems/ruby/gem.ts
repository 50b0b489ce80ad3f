import { BulwarkError } from '../../core/errors.js';
/** One gem as a gemspec or a Gemfile.lock records it; plain JSON, so it can be cached per layer. */
export interface GemEntry {
  name: string;
  version: string;
  /** A binary gem's platform ("x86_64-linux"); absent for pure-Ruby gems (platform "ruby"). */
  platform?: string;
  licenses: string[];
  metadata?: Record<string, string>;
}

// RubyGems' own limits: names of letters, digits, "._-"; versions of segments of letters and digits.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION = /^[0-9]+[0-9A-Za-z.-]*$/;
const PLATFORM = /^[A-Za-z0-9._-]+$/;

export function checkGem(g: GemEntry, where: string): GemEntry {
  if (!NAME.test(g.name)) throw new BulwarkError('CORRUPT', where, `"${g.name}" is not a gem name`);
  if (!VERSION.test(g.version)) throw new BulwarkError('CORRUPT', where, `"${g.version}" is not a gem version`);
  if (g.platform !== undefined && !PLATFORM.test(g.platform))
    throw new BulwarkError('CORRUPT', where, `"${g.platform}" is not a gem platform`);
  if (g.platform === 'ruby') delete g.platform;
  return g;
}
