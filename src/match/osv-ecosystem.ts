import type { OsInfo, Package } from '../core/types.js';

// Which OSV ecosystem(s) and package name an installed package is looked up under.
// Distribution feeds name releases and source packages; language feeds name the package itself.

export interface Lookup {
  /** OSV ecosystem strings to query, most specific first. */
  ecosystems: string[];
  name: string;
  /** The version to compare with the advisory's events. */
  version: string;
}

const LANGUAGE: Record<string, string> = {
  npm: 'npm', pypi: 'PyPI', maven: 'Maven', golang: 'Go', cargo: 'crates.io', gem: 'RubyGems', composer: 'Packagist', nuget: 'NuGet',
};

const RPM_DISTROS: Record<string, string> = { almalinux: 'AlmaLinux', rocky: 'Rocky Linux', opensuse: 'openSUSE', 'opensuse-leap': 'openSUSE', sles: 'SUSE', mageia: 'Mageia' };

function major(version: string): string {
  return version.split('.')[0] ?? version;
}

/** The OSV ecosystems of a distribution release, or [] when Bulwark knows no feed for it. */
export function distroEcosystems(os: OsInfo | null): string[] {
  if (!os) return [];
  switch (os.family) {
    case 'debian':
      return [`Debian:${major(os.version)}`];
    case 'ubuntu':
      // OSV's Ubuntu feed names LTS, Pro and plain releases separately
      return [`Ubuntu:${os.version}:LTS`, `Ubuntu:${os.version}`, `Ubuntu:Pro:${os.version}:LTS`];
    case 'alpine': {
      const [a, b] = os.version.split('.');
      return a && b ? [`Alpine:v${a}.${b}`] : [];
    }
    case 'wolfi':
      return ['Wolfi'];
    case 'chainguard':
      return ['Chainguard'];
    default: {
      const name = Object.hasOwn(RPM_DISTROS, os.family) ? RPM_DISTROS[os.family] : undefined; // family is image text
      return name ? [`${name}:${major(os.version)}`] : [];
    }
  }
}

export function lookupFor(p: Package, os: OsInfo | null): Lookup | undefined {
  const lang = LANGUAGE[p.ecosystem];
  if (lang) return { ecosystems: [lang], name: p.name, version: p.ecosystem === 'golang' ? p.version.replace(/^v/, '') : p.version };
  const ecosystems = distroEcosystems(os);
  if (ecosystems.length === 0) return undefined;
  // Debian and Ubuntu advisories name source packages and their versions; Alpine names the origin
  if (p.ecosystem === 'deb') return { ecosystems, name: p.source?.name ?? p.name, version: p.source?.version ?? p.version };
  if (p.ecosystem === 'apk') return { ecosystems, name: p.source?.name ?? p.name, version: p.version };
  return { ecosystems, name: p.name, version: p.version };
}
