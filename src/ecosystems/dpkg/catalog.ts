import type { Cataloger, FileView, FoundPackage } from '../../analysis/analyzer.js';
import { introducedIn } from '../../analysis/analyzer.js';
import { BulwarkError } from '../../core/errors.js';
import { parseParagraphs, type Paragraph } from './control.js';
import { licencesFromCopyright } from './copyright.js';

// dpkg's database: var/lib/dpkg/status (or one file per package in status.d/ on
// distroless images), the owned-file lists in info/*.list and status.d/*.md5sums,
// and licences from usr/share/doc/<package>/copyright.

interface DpkgRecord {
  name: string;
  version: string;
  arch?: string;
  source?: string;
  sourceVersion?: string;
  maintainer?: string;
}

type Parsed =
  | { kind: 'status'; packages: DpkgRecord[] }
  | { kind: 'files'; files: string[] }
  | { kind: 'licences'; licences: string[] };

const STATUS = 'var/lib/dpkg/status';
const STATUS_D = 'var/lib/dpkg/status.d/';
const INFO = 'var/lib/dpkg/info/';
const DOC = /^usr\/share\/doc\/([^/]+)\/copyright$/;

/** Installed means the package's files are on disk: not merely remembered config files. */
function installed(p: Paragraph): boolean {
  const state = (p.Status ?? 'install ok installed').split(/\s+/)[2];
  return state !== undefined && state !== 'not-installed' && state !== 'config-files';
}

function toRecord(p: Paragraph): DpkgRecord {
  if (!p.Package || !p.Version)
    throw new BulwarkError('MISSING_FIELD', p.Package ?? 'unnamed paragraph', 'paragraph without Package and Version');
  const r: DpkgRecord = { name: p.Package, version: p.Version };
  if (p.Architecture) r.arch = p.Architecture;
  if (p.Maintainer) r.maintainer = p.Maintainer;
  if (p.Source) {
    // "Source: glibc (2.36-9)" names the source version when it differs from the binary's
    const m = /^(\S+)(?:\s+\((\S+)\))?$/.exec(p.Source);
    if (!m) throw new BulwarkError('CORRUPT', p.Package, `bad Source field "${p.Source}"`);
    r.source = m[1]!;
    if (m[2]) r.sourceVersion = m[2];
  }
  return r;
}

function parseStatus(text: string): DpkgRecord[] {
  return parseParagraphs(text).filter(installed).map(toRecord);
}

function epochOf(version: string): number | undefined {
  const m = /^(\d+):/.exec(version);
  return m ? Number(m[1]) : undefined;
}

function filesFrom(path: string, text: string): string[] {
  const lines = text.split('\n').filter((l) => l !== '' && l !== '/.');
  // md5sums lines are "<md5>  <path without leading slash>"
  return path.endsWith('.md5sums') ? lines.map((l) => `/${l.replace(/^[0-9a-f]{32}\s+/, '')}`) : lines;
}

export const dpkg: Cataloger<Parsed> = {
  id: 'dpkg',
  version: 1,
  ecosystem: 'deb',
  wants(path) {
    if (path === STATUS) return true;
    if (path.startsWith(STATUS_D)) return !path.includes('/', STATUS_D.length);
    if (path.startsWith(INFO)) return path.endsWith('.list') && !path.includes('/', INFO.length);
    return path.endsWith('/copyright') && DOC.test(path);
  },
  parse(path, content) {
    const text = content.toString('utf8');
    if (DOC.test(path)) return { kind: 'licences', licences: licencesFromCopyright(text) };
    if (path.endsWith('.list') || path.endsWith('.md5sums')) return { kind: 'files', files: filesFrom(path, text) };
    return { kind: 'status', packages: parseStatus(text) };
  },
  catalog(view: FileView<Parsed>) {
    const out: FoundPackage[] = [];
    for (const path of view.paths()) {
      const cur = view.get(path)!;
      if (cur.data.kind !== 'status') continue;
      for (const rec of cur.data.packages) {
        const history = view.history(path);
        const layer =
          introducedIn(
            history,
            (d) =>
              d.kind === 'status' ? d.packages.find((p) => p.name === rec.name && p.arch === rec.arch) : undefined,
            (a, b) => a.version === b.version,
          ) ?? cur.layer;
        const files = filesOf(view, path, rec);
        const licences = view.get(`usr/share/doc/${rec.name}/copyright`)?.data;
        const epoch = epochOf(rec.version);
        out.push({
          ecosystem: 'deb',
          name: rec.name,
          version: rec.version,
          ...(epoch !== undefined ? { epoch } : {}),
          ...(rec.arch ? { arch: rec.arch } : {}),
          source: { name: rec.source ?? rec.name, version: rec.sourceVersion ?? rec.version },
          licenses: licences?.kind === 'licences' ? licences.licences : [],
          ...(rec.maintainer ? { maintainer: rec.maintainer } : {}),
          layer,
          path: `/${path}`,
          files,
        });
      }
    }
    return out;
  },
};

function filesOf(view: FileView<Parsed>, statusPath: string, rec: DpkgRecord): string[] {
  const candidates = statusPath.startsWith(STATUS_D)
    ? [`${statusPath}.md5sums`, `${STATUS_D}${rec.name}.md5sums`]
    : [`${INFO}${rec.name}:${rec.arch}.list`, `${INFO}${rec.name}.list`];
  for (const c of candidates) {
    const d = view.get(c)?.data;
    if (d?.kind === 'files') return d.files;
  }
  return [];
}
