import { createHash } from 'node:crypto';
import { BulwarkError, isBulwarkError, messageOf } from '../../core/errors.js';
import { fromFileName, isArchiveName, stem } from './filename.js';
import { bundleLicenses, parseManifest } from './manifest.js';
import { parseProperties } from './properties.js';
import { DEFAULT_LIMITS } from '../../image/limits.js';
import { listEntries, readEntry, scanBudget, type InflateBudget, type ZipEntry } from '../../core/zip.js';

// What a Java archive is, and what it carries: pom.properties first, then the manifest,
// then the file name; nested archives (fat jars, WEB-INF/lib, EAR modules) recursively.

type IdentifiedBy = 'pom.properties' | 'manifest' | 'file name';

export interface JarPackage {
  groupId?: string;
  artifactId: string;
  version: string;
  licenses: string[];
  /** SHA-1 of the archive's own bytes; absent for packages shaded into another archive. */
  sha1?: string;
  /** `/outer.jar`, `/outer.jar!/BOOT-INF/lib/x.jar`, or the pom.properties of a shaded package. */
  location: string;
  identifiedBy: IdentifiedBy;
}

export interface ArchiveData {
  kind: 'archive';
  packages: JarPackage[];
  /** Nested archives that could not be read or identified; the scan reports them. */
  warnings: string[];
}

const MAX_DEPTH = 3;
const MAX_METADATA_BYTES = 2 ** 20;
const MAX_NESTED_BYTES = 256 * 2 ** 20;
/** pom.properties read per archive: a shaded jar has hundreds; more is a flood meant to stall the scan. */
export const MAX_POMS = 10_000;

const POM_PROPERTIES = /^META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.properties$/;
const MANIFEST = 'META-INF/MANIFEST.MF';
const TOKEN = /^[A-Za-z0-9_.-]+$/;

interface Pom {
  entry: string;
  groupId: string;
  artifactId: string;
  version?: string;
}

const token = (s: string | undefined): string | undefined => (s && TOKEN.test(s) ? s : undefined);

function readPom(buf: Buffer, e: ZipEntry, location: string, budget: InflateBudget): Pom {
  const props = parseProperties(readEntry(buf, e, location, MAX_METADATA_BYTES, budget).toString('latin1'));
  const dirs = POM_PROPERTIES.exec(e.name)!;
  const version = props.get('version')?.trim();
  return {
    entry: e.name,
    groupId: props.get('groupId')?.trim() || dirs[1]!,
    artifactId: props.get('artifactId')?.trim() || dirs[2]!,
    ...(version ? { version } : {}),
  };
}

/** The pom.properties that describes the archive itself, when one can be told apart from shaded ones. */
function primaryPom(poms: Pom[], fileName: string): Pom | undefined {
  const f = fromFileName(fileName);
  const s = stem(fileName);
  const matches = poms.filter(
    (p) => p.artifactId === f.artifact || s === p.artifactId || s === `${p.artifactId}-${p.version}`,
  );
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    const same = matches.filter((p) => p.version !== undefined && p.version === f.version);
    return same.length === 1 ? same[0] : undefined;
  }
  // a renamed archive (app.jar) has no version in its name: its only pom.properties is its own
  return poms.length === 1 && f.version === undefined ? poms[0] : undefined;
}

/**
 * Identity from the manifest, the file name filling gaps. Implementation-Title is used as
 * the artifact only when it is a single token ("slf4j-api", not "Apache Commons Lang");
 * a Maven-style file name beats Bundle-SymbolicName, which is an OSGi name, not an artifactId.
 */
function fromManifest(
  attrs: Map<string, string>,
  fileName: string,
): Omit<JarPackage, 'location' | 'licenses'> | undefined {
  const f = fromFileName(fileName);
  const bsn = attrs.get('bundle-symbolicname')?.split(';')[0]?.trim();
  const artifactId =
    token(attrs.get('implementation-title')) ??
    (f.version !== undefined ? f.artifact : undefined) ??
    token(bsn) ??
    f.artifact;
  const mVersion =
    attrs.get('implementation-version') || attrs.get('bundle-version') || attrs.get('specification-version');
  const version = mVersion || f.version;
  if (!version || !artifactId) return undefined;
  const groupId = token(attrs.get('implementation-vendor-id'));
  return { ...(groupId ? { groupId } : {}), artifactId, version, identifiedBy: mVersion ? 'manifest' : 'file name' };
}

/** How far one read of an archive may go: nested depth is counted per archive, bytes for all of them. */
interface Reach {
  budget: InflateBudget;
  /** A nested archive larger than this is not read, and reported (the user's file size limit). */
  maxNested: number;
}

/** Reads the nested archives of one archive, each one that cannot be read a warning naming it. */
function visitNested(
  buf: Buffer,
  entries: ZipEntry[],
  location: string,
  depth: number,
  reach: Reach,
  out: ArchiveData,
): void {
  for (const e of entries) {
    if (!isArchiveName(e.name)) continue;
    const at = `${location}!/${e.name}`;
    if (depth >= MAX_DEPTH) {
      out.warnings.push(`${at}: not read: archives nested more than ${MAX_DEPTH} deep`);
      continue;
    }
    if (e.size > reach.maxNested) {
      out.warnings.push(`${at}: not read: ${e.size} bytes, over the ${reach.maxNested}-byte file size limit`);
      continue;
    }
    try {
      visit(readEntry(buf, e, location, reach.maxNested, reach.budget), e.name, at, depth + 1, reach, out);
    } catch (err) {
      // a bomb refuses the whole file; a damaged nested archive only itself
      if (isBulwarkError(err) && err.code === 'TOO_LARGE') throw err;
      out.warnings.push(messageOf(err));
    }
  }
}

function visit(buf: Buffer, fileName: string, location: string, depth: number, reach: Reach, out: ArchiveData): void {
  const budget = reach.budget;
  const entries = listEntries(
    buf,
    location,
    (n) => POM_PROPERTIES.test(n) || n.toUpperCase() === MANIFEST || isArchiveName(n),
  );
  const pomEntries = entries.filter((e) => POM_PROPERTIES.test(e.name));
  if (pomEntries.length > MAX_POMS)
    out.warnings.push(
      `${location}: ${pomEntries.length - MAX_POMS} pom.properties not read (limit ${MAX_POMS} per archive)`,
    );
  const poms = pomEntries.slice(0, MAX_POMS).map((e) => readPom(buf, e, location, budget));
  const mf = entries.find((e) => e.name.toUpperCase() === MANIFEST);
  const attrs = mf
    ? parseManifest(readEntry(buf, mf, location, MAX_METADATA_BYTES, budget))
    : new Map<string, string>();
  const sha1 = createHash('sha1').update(buf).digest('hex');
  const licenses = bundleLicenses(attrs.get('bundle-license'));
  const main = primaryPom(poms, fileName);
  if (main?.version) {
    out.packages.push({
      groupId: main.groupId,
      artifactId: main.artifactId,
      version: main.version,
      licenses,
      sha1,
      location,
      identifiedBy: 'pom.properties',
    });
  } else {
    const id = fromManifest(attrs, fileName);
    if (id) out.packages.push({ ...id, licenses, sha1, location });
    else out.warnings.push(`${location}: not identified: no version in pom.properties, manifest or file name`);
  }
  for (const p of poms) {
    if (p === main) continue;
    const at = `${location}!/${p.entry}`;
    if (p.version)
      out.packages.push({
        groupId: p.groupId,
        artifactId: p.artifactId,
        version: p.version,
        licenses: [],
        location: at,
        identifiedBy: 'pom.properties',
      });
    else out.warnings.push(`${at}: pom.properties without a version`);
  }
  visitNested(buf, entries, location, depth, reach, out);
}

/**
 * Reads an archive at `location` (absolute, e.g. "/app/app.jar"); throws BulwarkError on damage or bombs.
 * A nested archive over `maxFileBytes` (or MAX_NESTED_BYTES) is a warning naming it; `budget` is the scan's:
 * what this archive and those nested in it inflate is charged to it.
 */
export function readArchive(
  buf: Buffer,
  location: string,
  maxFileBytes = MAX_NESTED_BYTES,
  budget: InflateBudget = scanBudget(DEFAULT_LIMITS),
): ArchiveData {
  const out: ArchiveData = { kind: 'archive', packages: [], warnings: [] };
  budget.addStored(buf.length);
  try {
    visit(buf, location, location, 0, { budget, maxNested: Math.min(maxFileBytes, MAX_NESTED_BYTES) }, out);
  } catch (err) {
    if (isBulwarkError(err)) throw err;
    throw new BulwarkError('CORRUPT', location, `unreadable archive (${messageOf(err)})`, { cause: err });
  }
  return out;
}
