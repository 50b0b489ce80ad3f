import type { Cataloger } from '../analysis/analyzer.js';
import type { OsInfo, Package } from '../core/types.js';
import type { VersionScheme } from '../versions/scheme.js';
import type { EcosystemDescriptor } from './descriptor.js';
import { descriptor as apk } from './apk/index.js';
import { descriptor as dotnet } from './dotnet/index.js';
import { descriptor as dpkg } from './dpkg/index.js';
import { descriptor as golang } from './golang/index.js';
import { descriptor as java } from './java/index.js';
import { descriptor as npm } from './npm/index.js';
import { descriptor as php } from './php/index.js';
import { descriptor as python } from './python/index.js';
import { descriptor as rpm } from './rpm/index.js';
import { descriptor as ruby } from './ruby/index.js';
import { descriptor as rust } from './rust/index.js';

export type { EcosystemDescriptor } from './descriptor.js';

// The one registry of ecosystems: scanning, matching, `version compare`, purls and
// `db update` all ask it. One line per ecosystem; a meta-test checks the list against the
// folders and every descriptor for completeness.
export const ECOSYSTEMS: readonly EcosystemDescriptor[] = [
  dpkg,
  apk,
  rpm,
  python,
  dotnet,
  java,
  npm,
  ruby,
  php,
  golang,
  rust,
];

export const catalogers: readonly Cataloger<unknown>[] = ECOSYSTEMS.flatMap((e) => e.catalogers);

// Keyed by text from images and feeds: Maps, so "constructor" or "__proto__" is no key.
const byId = new Map(ECOSYSTEMS.map((e) => [e.id, e]));
const byPurlType = new Map<string, EcosystemDescriptor>(
  ECOSYSTEMS.flatMap((e) => e.purlTypes.map((t) => [t, e] as const)),
);
const byOsvName = new Map(ECOSYSTEMS.flatMap((e) => e.osvNames.map((n) => [n, e] as const)));

/** Every OSV ecosystem name Bulwark can match (without release suffixes). */
export const OSV_NAMES: readonly string[] = [...byOsvName.keys()];

/** The feeds a new DB is filled from: language feeds first, then distributions. */
export const DEFAULT_FEEDS: readonly string[] = [
  ...ECOSYSTEMS.filter((e) => e.kind === 'language'),
  ...ECOSYSTEMS.filter((e) => e.kind === 'os'),
].flatMap((e) => e.defaultFeeds);

export function ecosystemById(id: string): EcosystemDescriptor | undefined {
  return byId.get(id);
}

/** The ecosystem of a purl type, which is what Package.ecosystem holds ('deb', 'pypi', …). */
export function ecosystemForPurlType(type: string): EcosystemDescriptor | undefined {
  return byPurlType.get(type);
}

/** The ecosystem serving an OSV ecosystem string, with or without its release suffix ("Debian:12" → dpkg). */
export function ecosystemForOsv(osvEcosystem: string): EcosystemDescriptor | undefined {
  const colon = osvEcosystem.indexOf(':');
  return byOsvName.get(colon < 0 ? osvEcosystem : osvEcosystem.slice(0, colon));
}

/** The version scheme of an OSV ecosystem, or undefined when there is none: callers refuse it rather than guess. */
export function schemeFor(osvEcosystem: string): VersionScheme | undefined {
  return ecosystemForOsv(osvEcosystem)?.scheme;
}

/**
 * The package name as advisories are indexed and looked up under, for an OSV ecosystem
 * string ("PyPI", "Debian:12"). An ecosystem Bulwark does not know (a feed may carry any)
 * keeps its names as given: the store indexes them, nothing matches against them.
 */
export function normalizePackageName(osvEcosystem: string, name: string): string {
  const e = ecosystemForOsv(osvEcosystem);
  return e ? e.normalizeName(name) : name;
}

/** Whether two names of one OSV ecosystem name the same package. */
export function sameName(osvEcosystem: string, a: string, b: string): boolean {
  return normalizePackageName(osvEcosystem, a) === normalizePackageName(osvEcosystem, b);
}

/** The OSV ecosystems of a distribution release, most specific first, or [] when Bulwark knows no feed for it. */
export function distroEcosystems(os: OsInfo | null): string[] {
  if (!os) return [];
  for (const e of ECOSYSTEMS) {
    const r = e.releases?.(os) ?? [];
    if (r.length > 0) return r;
  }
  return [];
}

/** Which OSV ecosystem(s), name and version an installed package is looked up under. */
export interface Lookup {
  /** OSV ecosystem strings to query, most specific first. */
  ecosystems: string[];
  name: string;
  /** The version to compare with the advisory's events. */
  version: string;
}

/**
 * Language feeds name the package itself; distribution feeds name releases (and, for
 * Debian and Alpine, source packages). Undefined when no known feed covers the package.
 */
export function lookupFor(p: Package, os: OsInfo | null): Lookup | undefined {
  const e = ecosystemForPurlType(p.ecosystem);
  if (!e) return undefined;
  const ecosystems = e.kind === 'language' ? e.osvNames.slice(0, 1) : distroEcosystems(os);
  return ecosystems.length === 0 ? undefined : { ecosystems, ...e.lookupKey(p) };
}
