import { nugetName } from './dotnet/name.js';
import { packagistName } from './php/name.js';
import { pypiName } from './python/name.js';
import { crateName } from './rust/name.js';

// The one name normalisation per OSV ecosystem, used both when advisories are indexed
// (vulndb) and when installed packages are looked up (match), so the two cannot diverge.
// One line per ecosystem. Names not folded here are compared exactly as given, as their
// ecosystems define them: npm package names, Maven groupId:artifactId, Go module paths,
// RubyGems gem names, and distribution package names.

export type NameRule = (name: string) => string;

const asGiven: NameRule = (name) => name;

const RULES = new Map<string, NameRule>([
  ['PyPI', pypiName],
  ['NuGet', nugetName],
  ['Packagist', packagistName],
  ['crates.io', crateName],
  ['npm', asGiven],
  ['Maven', asGiven],
  ['Go', asGiven],
  ['RubyGems', asGiven],
  ['Debian', asGiven],
  ['Ubuntu', asGiven],
  ['Alpine', asGiven],
  ['Wolfi', asGiven],
  ['Chainguard', asGiven],
  ['AlmaLinux', asGiven],
  ['Rocky Linux', asGiven],
  ['Red Hat', asGiven],
  ['openSUSE', asGiven],
  ['SUSE', asGiven],
  ['Mageia', asGiven],
  ['Photon OS', asGiven],
  ['Azure Linux', asGiven],
  ['openEuler', asGiven],
]);

/** The OSV ecosystems with a name rule. */
export const NAME_ECOSYSTEMS: readonly string[] = [...RULES.keys()];

/**
 * The package name as advisories are indexed and looked up under, for an OSV ecosystem
 * string ("PyPI", "Debian:12"). An ecosystem Bulwark has no rule for (a feed may carry
 * any) keeps its names as given: the store indexes them, nothing matches against them.
 */
export function normalizePackageName(osvEcosystem: string, name: string): string {
  const colon = osvEcosystem.indexOf(':');
  const rule = RULES.get(colon < 0 ? osvEcosystem : osvEcosystem.slice(0, colon));
  return rule ? rule(name) : name;
}

/** Whether two names of one OSV ecosystem name the same package. */
export function sameName(osvEcosystem: string, a: string, b: string): boolean {
  return normalizePackageName(osvEcosystem, a) === normalizePackageName(osvEcosystem, b);
}
