import YAML from 'yaml';
import { z } from 'zod';
import { BulwarkError, messageOf } from '../core/errors.js';
import type { OsvAffected, OsvRecord } from './osv.js';

// Alpine secdb (one YAML document per branch and repository: package -> fixed version ->
// vulnerability ids) converted to OSV records in ecosystem "Alpine:<branch>".
//
// One record per vulnerability id per secdb document, with one affected entry per package,
// as the real OSV Alpine feed has one record per CVE. Its ids (ALPINE-CVE-…) cannot be reused:
// each document is its own feed, and the same CVE appears in many branches and in both
// repositories, so the id names the document: ALPINE-v3.11-main-CVE-2019-14904. The CVE is
// in `upstream` (as the OSV feed's ALPINE-CVE records carry it) and in `aliases` (so that
// feeds describing the same CVE group together).
//
// A package fixed in several versions (one per upstream version line the branch carried)
// gets one range per fix: a version is affected below any of them, which never misses a
// vulnerable version. The secfix key "0" means "never affected": that package's entry has
// no ranges (so OSV evaluation finds it unaffected) and database_specific.not_affected.

const secdbSchema = z.looseObject({
  distroversion: z.string().regex(/^(v\d+\.\d+|edge)$/, 'not an Alpine branch'),
  reponame: z.string().regex(/^[a-z][a-z0-9-]*$/, 'not a repository name'),
  packages: z
    .array(
      z.looseObject({
        pkg: z.looseObject({
          name: z.string().regex(/^[A-Za-z0-9][\x21-\x7e]*$/, 'not a package name'),
          // read with the failsafe schema: an empty list is "" and a missing map ""
          secfixes: z.union([z.record(z.string(), z.union([z.array(z.string()), z.string()])), z.string()]).optional(),
        }),
      }),
    )
    .or(z.literal(''))
    .optional(),
});

export interface SecdbFeed {
  /** "alpine-secdb:v3.11/main" */
  name: string;
  ecosystem: string;
  records: OsvRecord[];
  /** Secfix lines that name no vulnerability id, or keys that are not versions. */
  skipped: string[];
}

/** True when a YAML text looks like an Alpine secdb document. */
export function isSecdb(text: string): boolean {
  return /^distroversion:/m.test(text) && /^packages:/m.test(text);
}

const CVE = /\bCVE[-_ ]?(\d{4})-(\d{4,})/i;
// vendor ids found in secdb besides CVEs: XSA-207, ZBX-11023, wnpa-sec-2017-18
const OTHER_ID = /^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*-\d+$/;
// mostly 1.2.3-r4, sometimes an upstream version alone (7.53.0, 1.0.0_rc7)
const FIX_VERSION = /^[0-9][0-9A-Za-z._+~-]*$/;

/** The vulnerability id a secfix line names ("CVE-2019-5060 TALOS-2019-0844", "CVE_2019-2426"). */
export function secfixId(line: string): string | undefined {
  const m = CVE.exec(line);
  if (m) return `CVE-${m[1]}-${m[2]}`;
  return line.split(/\s+/).find((t) => OTHER_ID.test(t));
}

interface PackageFixes {
  fixes: string[];
  notAffected: boolean;
  lines: string[];
}

export function convertSecdb(text: string, input: string, modified: string): SecdbFeed {
  let raw: unknown;
  try {
    // failsafe: every scalar a string, so version keys such as 1.10 stay "1.10"
    raw = YAML.parse(text, { schema: 'failsafe' });
  } catch (e) {
    throw new BulwarkError('CORRUPT', input, `invalid YAML (${messageOf(e).split('\n')[0]})`);
  }
  const r = secdbSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new BulwarkError(
      'CORRUPT',
      input,
      `not an Alpine secdb document${issue ? ` at ${issue.path.join('.')}: ${issue.message}` : ''}`,
    );
  }
  const { distroversion: branch, reponame: repo } = r.data;
  const ecosystem = `Alpine:${branch}`;
  const skipped: string[] = [];
  const byVuln = new Map<string, Map<string, PackageFixes>>();
  for (const { pkg } of r.data.packages || []) {
    if (typeof pkg.secfixes !== 'object') continue;
    for (const [version, lines] of Object.entries(pkg.secfixes)) {
      if (!FIX_VERSION.test(version)) {
        skipped.push(`${input}: ${pkg.name} ${version}: not an Alpine version`);
        continue;
      }
      for (const line of Array.isArray(lines) ? lines : []) {
        const id = secfixId(line);
        if (!id) {
          skipped.push(`${input}: ${pkg.name} ${version}: ${JSON.stringify(line)} names no vulnerability id`);
          continue;
        }
        const perPkg = byVuln.get(id) ?? new Map<string, PackageFixes>();
        byVuln.set(id, perPkg);
        const f = perPkg.get(pkg.name) ?? { fixes: [], notAffected: false, lines: [] };
        perPkg.set(pkg.name, f);
        if (version === '0') f.notAffected = true;
        else if (!f.fixes.includes(version)) f.fixes.push(version);
        f.lines.push(`${version}: ${line}`);
      }
    }
  }
  const records = [...byVuln.entries()].map(([vuln, perPkg]) =>
    recordFor(vuln, perPkg, { branch, repo, ecosystem, modified }),
  );
  records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { name: `alpine-secdb:${branch}/${repo}`, ecosystem, records, skipped };
}

interface Where {
  branch: string;
  repo: string;
  ecosystem: string;
  modified: string;
}

function recordFor(vuln: string, perPkg: Map<string, PackageFixes>, w: Where): OsvRecord {
  const affected: OsvAffected[] = [...perPkg.entries()].map(([name, f]) => ({
    package: { ecosystem: w.ecosystem, name },
    // a real fix outweighs a contradicting "never affected" for the same package
    ranges: f.fixes.map((fixed) => ({ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed }] })),
    database_specific: { secfixes: f.lines, ...(f.fixes.length === 0 && f.notAffected ? { not_affected: true } : {}) },
  }));
  const fixes = [...perPkg.entries()].map(([name, f]) => `${name} ${f.fixes.join(', ') || '(not affected)'}`);
  return {
    id: `ALPINE-${w.branch}-${w.repo}-${vuln}`,
    modified: w.modified,
    aliases: [vuln],
    upstream: [vuln],
    details: `Alpine ${w.branch}/${w.repo} secdb: ${fixes.join('; ')}.`,
    affected,
    references: vuln.startsWith('CVE-')
      ? [{ type: 'ADVISORY', url: `https://security.alpinelinux.org/vuln/${vuln}` }]
      : [],
    database_specific: { source: 'alpine-secdb', distroversion: w.branch, reponame: w.repo },
  };
}
