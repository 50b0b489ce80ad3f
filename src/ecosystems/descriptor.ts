import type { Cataloger } from '../analysis/analyzer.js';
import type { Ecosystem, OsInfo, Package } from '../core/types.js';
import type { VersionScheme } from '../versions/scheme.js';

// What one ecosystem is, in one place: each folder under src/ecosystems exports one of
// these from its index.ts, and src/ecosystems/index.ts (the registry) lists them. This
// module is the contract only: it must not import the registry or any ecosystem.

/** A package name as advisories are indexed and looked up under (spellings of one package fold to one). */
export type NameRule = (name: string) => string;

/** Names compared exactly as the ecosystem writes them. */
export const asGiven: NameRule = (name) => name;

/** The package name and version an installed package is looked up under in advisories. */
export interface LookupKey {
  name: string;
  version: string;
}

/** The whole package as found: name and version are looked up as given. */
export const ownKey = (p: Package): LookupKey => ({ name: p.name, version: p.version });

export interface EcosystemDescriptor {
  /** The folder name under src/ecosystems ('dpkg', 'python', …). */
  id: string;
  /**
   * 'language': packages are looked up in the ecosystem's own feed (osvNames[0]);
   * 'os': a distribution package format, looked up in the feed of the release the image runs.
   */
  kind: 'language' | 'os';
  /** The purl type(s) of the packages its catalogers find (Package.ecosystem). */
  purlTypes: readonly Ecosystem[];
  /** The OSV ecosystem names it serves, without a release suffix ("Debian", not "Debian:12"). */
  osvNames: readonly string[];
  /** The feeds `db update` fetches when the DB is new (a subset of osvNames). */
  defaultFeeds: readonly string[];
  /** How the ecosystem orders its versions (the same for every one of its OSV names). */
  scheme: VersionScheme;
  catalogers: readonly Cataloger<unknown>[];
  /** The one name normalisation, used when advisories are indexed and when packages are looked up. */
  normalizeName: NameRule;
  /** The name and version an installed package is looked up under (Debian: its source package). */
  lookupKey(p: Package): LookupKey;
  /** 'os' only: the OSV ecosystems of a distribution release, most specific first; [] when it is not one this format serves. */
  releases?(os: OsInfo): string[];
}

/** The major version of a distribution release ("12.5" → "12"), as OSV names most releases. */
export function releaseMajor(version: string): string {
  return version.split('.')[0] ?? version;
}
