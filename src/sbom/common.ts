// Shared by the SBOM writers: deterministic ids, purls (the tool's identity is in core/tool.ts).
import { createHash, randomUUID } from 'node:crypto';
import { OS_ECOSYSTEMS, type Inventory, type Package } from '../core/types.js';
import { packagePurl } from './purl.js';

/** Random UUID, or a stable one derived from the seed (RFC 9562 version 8: custom, from SHA-256). */
export function uuidFor(seed?: string): string {
  if (seed === undefined) return randomUUID();
  const b = createHash('sha256').update(seed).digest();
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Short stable hash, for ids that must not depend on package order. */
export function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 12);
}

/** The image's identity for "version" fields: config digest, else manifest digest. */
export function imageVersion(inv: Inventory): string | undefined {
  return inv.artifact.imageId || inv.artifact.digest || undefined;
}

/**
 * The cataloger's purl; for an OS package left without one, one computed from the OS. Undefined
 * when none can be built (a jar that names no groupId, e.g. a JDK's jrt-fs.jar): the scan has
 * reported that as an issue, and the SBOM lists the package without a purl rather than fail or
 * invent one (an OS family is no Maven namespace).
 */
export function purlOf(pkg: Package, inv: Inventory): string | undefined {
  if (pkg.purl) return pkg.purl;
  if (!OS_ECOSYSTEMS.includes(pkg.ecosystem)) return undefined;
  try {
    return packagePurl(pkg, inv.os);
  } catch {
    return undefined;
  }
}

/** One warning line per package an SBOM lists without a purl. */
export function noPurlWarnings(inv: Inventory): string[] {
  return inv.packages
    .filter((p) => purlOf(p, inv) === undefined)
    .map(
      (p) =>
        `${p.ecosystem} package ${JSON.stringify(p.name)} ${p.version} (${p.path}) has no purl: listed without one, with its file${p.metadata?.sha1 ? ' and SHA-1' : ''}`,
    );
}

/** An SPDX idstring (letters, digits, "." and "-" only), at most max characters, never empty. */
export function idString(s: string, max: number): string {
  const id = s
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  return id.slice(0, max) || 'x';
}

/** Hands out ids, making each unique with a "<sep>N" suffix (compared case-insensitively). */
export class UniqueIds {
  readonly #taken = new Set<string>();

  constructor(private readonly sep = '-') {}

  take(base: string): string {
    let id = base;
    for (let n = 2; this.#taken.has(id.toLowerCase()); n++) id = `${base}${this.sep}${n}`;
    this.#taken.add(id.toLowerCase());
    return id;
  }
}
