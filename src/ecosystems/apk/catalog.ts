import type { Cataloger, FoundPackage } from '../../analysis/analyzer.js';
import { introducedIn } from '../../analysis/analyzer.js';
import { BulwarkError } from '../../core/errors.js';

// apk's database, lib/apk/db/installed: one "X:value" line per field, packages
// separated by blank lines; F: names a directory and the R: lines after it its files.

interface ApkRecord {
  name: string;
  version: string;
  arch?: string;
  origin?: string;
  license?: string;
  maintainer?: string;
  files: string[];
}

const DB = 'lib/apk/db/installed';

export function parseApkInstalled(text: string): ApkRecord[] {
  const out: ApkRecord[] = [];
  let cur: Partial<ApkRecord> & { files: string[] } = { files: [] };
  let dir = '';
  let lineNo = 0;
  const flush = (): void => {
    if (cur.name === undefined && cur.version === undefined && cur.files.length === 0) return;
    if (!cur.name || !cur.version)
      throw new BulwarkError('MISSING_FIELD', `line ${lineNo}`, 'package entry without P: and V:');
    out.push(cur as ApkRecord);
    cur = { files: [] };
    dir = '';
  };
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line[1] !== ':') throw new BulwarkError('CORRUPT', `line ${lineNo}`, 'expected "X:value"');
    const v = line.slice(2);
    switch (line[0]) {
      case 'P':
        cur.name = v;
        break;
      case 'V':
        cur.version = v;
        break;
      case 'A':
        cur.arch = v;
        break;
      case 'o':
        cur.origin = v;
        break;
      case 'L':
        cur.license = v;
        break;
      case 'm':
        cur.maintainer = v;
        break;
      case 'F':
        dir = v;
        break;
      case 'R':
        cur.files.push(dir ? `/${dir}/${v}` : `/${v}`);
        break;
      default:
        break; // checksums, sizes, dependencies: not part of the inventory
    }
  }
  flush();
  return out;
}

export const apk: Cataloger<ApkRecord[]> = {
  id: 'apk',
  version: 1,
  ecosystem: 'apk',
  wants: (path) => path === DB,
  parse: (_path, content) => parseApkInstalled(content.toString('utf8')),
  catalog(view) {
    const cur = view.get(DB);
    if (!cur) return [];
    const history = view.history(DB);
    return cur.data.map((r): FoundPackage => ({
      ecosystem: 'apk',
      name: r.name,
      version: r.version,
      ...(r.arch ? { arch: r.arch } : {}),
      source: { name: r.origin ?? r.name, version: r.version },
      // apk licences are SPDX-like expressions separated by spaces ("MIT BSD-2-Clause")
      licenses: r.license ? [r.license] : [],
      ...(r.maintainer ? { maintainer: r.maintainer } : {}),
      layer:
        introducedIn(
          history,
          (d) => d.find((p) => p.name === r.name),
          (a, b) => a.version === b.version,
        ) ?? cur.layer,
      path: `/${DB}`,
      files: r.files,
    }));
  },
};
