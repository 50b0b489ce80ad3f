// Package URLs for OS packages, per the purl spec's deb, rpm and apk type definitions.
import { PackageURL } from 'packageurl-js';
import type { Ecosystem, OsInfo, SourcePackage } from '../core/types.js';
import { BulwarkError, messageOf } from '../core/errors.js';

export interface PurlInput {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  epoch?: number;
  arch?: string;
  source?: SourcePackage;
}

// Vendor namespace when the OS is unknown: deb and apk are almost always Debian and Alpine;
// rpm has no safe guess, and the spec's own example omits it then.
const DEFAULT_NAMESPACE: Partial<Record<Ecosystem, string>> = { deb: 'debian', apk: 'alpine' };

const EPOCH_PREFIX = /^(\d+):/;

/** The purl of an OS package, e.g. `pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=bookworm`. */
export function packagePurl(pkg: PurlInput, os: OsInfo | null): string {
  const q: Record<string, string> = {};
  if (pkg.arch) q.arch = pkg.arch;
  const distro = distroQualifier(pkg.ecosystem, os);
  if (distro) q.distro = distro;

  let version = pkg.version;
  if (pkg.ecosystem === 'deb') {
    // dpkg writes the epoch inside the version ("1:2.3-4"); keep it there.
    if (pkg.epoch && !EPOCH_PREFIX.test(version)) version = `${pkg.epoch}:${version}`;
  } else if (pkg.ecosystem === 'rpm') {
    // rpm: version-release without epoch; the epoch goes in its own qualifier.
    const m = EPOCH_PREFIX.exec(version);
    const epoch = pkg.epoch ?? (m ? Number(m[1]) : 0);
    if (m) version = version.slice(m[0].length);
    if (epoch > 0) q.epoch = String(epoch);
  }

  // Source package, when it differs from the binary (compared with the purl's own version).
  const up = pkg.source;
  const upVersion = up?.version && up.version !== version ? up.version : undefined;
  if (up?.name && (up.name !== pkg.name || upVersion)) q.upstream = upVersion ? `${up.name}@${upVersion}` : up.name;

  const namespace = os?.family ? os.family.toLowerCase() : DEFAULT_NAMESPACE[pkg.ecosystem];
  try {
    return new PackageURL(pkg.ecosystem, namespace, pkg.name, version || undefined, q).toString();
  } catch (e) {
    throw new BulwarkError('CORRUPT', `${pkg.ecosystem} package "${pkg.name}"`, `no purl: ${messageOf(e)}`, {
      cause: e,
    });
  }
}

function distroQualifier(eco: Ecosystem, os: OsInfo | null): string | undefined {
  if (!os?.family) return undefined;
  // Debian-family purls name the release by codename (the spec's examples: distro=bookworm).
  if (eco === 'deb' && os.codename) return os.codename.toLowerCase();
  return os.version ? `${os.family.toLowerCase()}-${os.version}` : undefined;
}
