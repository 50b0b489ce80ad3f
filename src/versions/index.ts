import { apkScheme } from '../ecosystems/apk/version.js';
import { nugetScheme } from '../ecosystems/dotnet/version.js';
import { dpkgScheme } from '../ecosystems/dpkg/version.js';
import { goScheme } from '../ecosystems/golang/version.js';
import { mavenScheme } from '../ecosystems/java/version.js';
import { semverScheme } from '../ecosystems/npm/version.js';
import { composerScheme } from '../ecosystems/php/version.js';
import { pep440Scheme } from '../ecosystems/python/version.js';
import { rpmScheme } from '../ecosystems/rpm/version.js';
import { rubygemsScheme } from '../ecosystems/ruby/version.js';
import type { VersionScheme } from './scheme.js';

export type { VersionScheme } from './scheme.js';

// OSV ecosystem name (the part before ':') -> version scheme; one line per ecosystem.
// An ecosystem missing here has no scheme: callers refuse it rather than guess.
const SCHEMES = new Map<string, VersionScheme>([
  ['Debian', dpkgScheme],
  ['Ubuntu', dpkgScheme],
  ['Alpine', apkScheme],
  ['Wolfi', apkScheme],
  ['Chainguard', apkScheme],
  ['AlmaLinux', rpmScheme],
  ['Rocky Linux', rpmScheme],
  ['Red Hat', rpmScheme],
  ['openSUSE', rpmScheme],
  ['SUSE', rpmScheme],
  ['Mageia', rpmScheme],
  ['Photon OS', rpmScheme],
  ['Azure Linux', rpmScheme],
  ['openEuler', rpmScheme],
  ['npm', semverScheme],
  ['crates.io', semverScheme],
  ['PyPI', pep440Scheme],
  ['Maven', mavenScheme],
  ['Go', goScheme],
  ['RubyGems', rubygemsScheme],
  ['NuGet', nugetScheme],
  ['Packagist', composerScheme],
]);

/** The OSV ecosystem names that have a scheme. */
export const SCHEME_ECOSYSTEMS: readonly string[] = [...SCHEMES.keys()];

/** The scheme of an OSV ecosystem ("Debian:12" -> dpkg), or undefined when there is none. */
export function schemeFor(osvEcosystem: string): VersionScheme | undefined {
  const colon = osvEcosystem.indexOf(':');
  return SCHEMES.get(colon < 0 ? osvEcosystem : osvEcosystem.slice(0, colon));
}
