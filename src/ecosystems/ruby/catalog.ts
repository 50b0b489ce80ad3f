import { PackageURL } from 'packageurl-js';
import type { Cataloger } from '../../analysis/analyzer.js';
import { catalogFiles } from '../../analysis/catalog-helpers.js';
import type { GemEntry } from './gem.js';
import { parseGemfileLock } from './gemfile-lock.js';
import { parseGemspec } from './gemspec.js';

// Installed gems: every RubyGems specifications/ directory (GEM_HOME, Bundler's path,
// default gems, Debian's rubygems-integration) in images and source trees; Bundler's
// lockfile in source trees only.

type Parsed = { kind: 'gemspec'; gem: GemEntry } | { kind: 'lock'; gems: GemEntry[] };

const SPEC = /(?:^|\/)specifications\/(?:default\/)?[^/]+\.gemspec$/;
const LOCK = /(?:^|\/)(?:Gemfile\.lock|gems\.locked)$/;

export const ruby: Cataloger<Parsed> = {
  id: 'ruby',
  version: 1,
  ecosystem: 'gem',
  wants: (path, _info, target) =>
    (path.endsWith('.gemspec') && SPEC.test(path)) || (target === 'fs' && LOCK.test(path)),
  parse(path, content) {
    const text = content.toString('utf8');
    if (path.endsWith('.gemspec')) return { kind: 'gemspec', gem: parseGemspec(path, text) };
    return { kind: 'lock', gems: parseGemfileLock(path, text) };
  },
  catalog(view) {
    return catalogFiles(view, (data, at) =>
      (data.kind === 'gemspec' ? [data.gem] : data.gems).map((g) => {
        const metadata = { ...g.metadata, ...(g.platform ? { platform: g.platform } : {}) };
        return {
          ecosystem: 'gem',
          name: g.name,
          version: g.version,
          licenses: g.licenses,
          ...at,
          files: [],
          ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
        };
      }),
    );
  },
  purl(pkg) {
    // pkg:gem/nokogiri@1.15.4?platform=x86_64-linux; "ruby" is the default platform and left out
    const platform = pkg.metadata?.platform;
    return new PackageURL('gem', undefined, pkg.name, pkg.version, platform ? { platform } : undefined).toString();
  },
};
