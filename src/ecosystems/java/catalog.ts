import { PackageURL } from 'packageurl-js';
import type { Cataloger, FoundPackage } from '../../analysis/analyzer.js';
import { introducedIn } from '../../analysis/analyzer.js';
import { BulwarkError } from '../../core/errors.js';
import { readArchive, type ArchiveData, type JarPackage } from './archive.js';
import { baseName, isArchiveName } from './filename.js';
import { parseGradleLockfile, type GradleLockData } from './gradle.js';
import { parsePom, type PomData } from './pom.js';

// Java: installed archives (jar, war, ear, Jenkins jpi/hpi) in images and source trees;
// pom.xml and gradle.lockfile in source trees only. Names are "groupId:artifactId",
// as OSV names Maven packages, or the bare artifactId when the group is unknown.

export type JavaData = ArchiveData | PomData | GradleLockData;

const name = (groupId: string | undefined, artifactId: string): string =>
  groupId ? `${groupId}:${artifactId}` : artifactId;
const sameJar = (a: JarPackage, b: JarPackage): boolean => a.version === b.version && a.sha1 === b.sha1;

export const java: Cataloger<JavaData> = {
  id: 'java',
  version: 2,
  ecosystem: 'maven',
  wants(path, info, target) {
    // an empty file is no archive; the walker reports one over the size limit
    if (isArchiveName(path)) return info.size > 0;
    if (target !== 'fs') return false;
    const base = baseName(path);
    return base === 'pom.xml' || base === 'gradle.lockfile';
  },
  parse(path, content, _info, ctx) {
    if (isArchiveName(path)) return readArchive(content, `/${path}`, ctx?.maxFileBytes, ctx?.inflate);
    const base = baseName(path);
    if (base === 'pom.xml') return parsePom(content.toString('utf8'));
    if (base === 'gradle.lockfile') return parseGradleLockfile(content.toString('utf8'));
    throw new BulwarkError('UNKNOWN_FORMAT', path, 'not a Java archive, pom.xml or gradle.lockfile');
  },
  catalog(view, ctx) {
    const out: FoundPackage[] = [];
    for (const path of view.paths()) {
      const cur = view.get(path)!;
      const where = { ecosystem: 'maven' as const, layer: cur.layer, path: `/${path}`, files: [] };
      const issue = (message: string): void =>
        ctx.issue({ analyzer: 'java', path: `/${path}`, layer: cur.layer, message });
      const d = cur.data;
      if (d.kind === 'archive') {
        d.warnings.forEach(issue);
        const history = view.history(path);
        for (const p of d.packages) {
          const find = (x: JavaData): JarPackage | undefined =>
            x.kind === 'archive'
              ? x.packages.find(
                  (q) => q.location === p.location && q.groupId === p.groupId && q.artifactId === p.artifactId,
                )
              : undefined;
          out.push({
            ...where,
            name: name(p.groupId, p.artifactId),
            version: p.version,
            licenses: p.licenses,
            layer: introducedIn(history, find, sameJar) ?? cur.layer,
            metadata: { location: p.location, identifiedBy: p.identifiedBy, ...(p.sha1 ? { sha1: p.sha1 } : {}) },
          });
        }
      } else if (d.kind === 'pom') {
        if (d.unresolved.length > 0)
          issue(`${d.unresolved.length} declaration(s) not pinned by this pom alone: ${d.unresolved.join(', ')}`);
        if (d.project) {
          const { groupId, artifactId, version, licenses } = d.project;
          out.push({
            ...where,
            name: name(groupId, artifactId),
            version,
            licenses,
            role: 'application',
            metadata: { location: `/${path}`, role: 'project' },
          });
        }
        for (const dep of d.dependencies) {
          const metadata: Record<string, string> = {
            location: `/${path}`,
            role: 'dependency',
            ...(dep.scope ? { scope: dep.scope } : {}),
          };
          out.push({ ...where, name: name(dep.groupId, dep.artifactId), version: dep.version, licenses: [], metadata });
        }
      } else {
        for (const dep of d.dependencies) {
          const metadata = { location: `/${path}`, configurations: dep.configurations.join(',') };
          out.push({ ...where, name: name(dep.groupId, dep.artifactId), version: dep.version, licenses: [], metadata });
        }
      }
    }
    return out;
  },
  purl(pkg) {
    // the purl spec makes the maven namespace (groupId) required, and packageurl-js enforces it
    const colon = pkg.name.indexOf(':');
    if (colon <= 0) throw new BulwarkError('MISSING_FIELD', pkg.name, 'groupId unknown, and a Maven purl requires one');
    return new PackageURL(
      'maven',
      pkg.name.slice(0, colon),
      pkg.name.slice(colon + 1),
      pkg.version,
      undefined,
      undefined,
    ).toString();
  },
};
