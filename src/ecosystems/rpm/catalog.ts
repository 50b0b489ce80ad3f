import type { Cataloger, FoundPackage } from '../../analysis/analyzer.js';
import { introducedIn } from '../../analysis/analyzer.js';
import { parseSourceRpm, readRpmDatabase, RPM_DB_PATHS, type RpmRecord } from './database.js';

// rpm databases in any of their three formats (BDB, NDB, SQLite), wherever the
// distribution keeps them.

function fullVersion(r: RpmRecord): string {
  return `${r.epoch !== undefined && r.epoch !== 0 ? `${r.epoch}:` : ''}${r.version}-${r.release}`;
}

export const rpm: Cataloger<RpmRecord[]> = {
  id: 'rpm',
  version: 1,
  ecosystem: 'rpm',
  wants: (path) => (RPM_DB_PATHS as readonly string[]).includes(path),
  parse: (path, content) => readRpmDatabase(path, content),
  catalog(view) {
    const out: FoundPackage[] = [];
    // /var/lib/rpm may be a symlink to /usr/lib/sysimage/rpm; count each database once
    const seen = new Set<string>();
    for (const path of view.paths()) {
      const cur = view.get(path)!;
      const history = view.history(path);
      for (const r of cur.data) {
        const key = `${r.name}\0${fullVersion(r)}\0${r.arch ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const src = r.sourceRpm ? parseSourceRpm(r.sourceRpm) : undefined;
        out.push({
          ecosystem: 'rpm',
          name: r.name,
          version: fullVersion(r),
          ...(r.epoch !== undefined ? { epoch: r.epoch } : {}),
          ...(r.arch ? { arch: r.arch } : {}),
          ...(src ? { source: src } : {}),
          licenses: r.license ? [r.license] : [],
          ...(r.vendor ? { maintainer: r.vendor } : {}),
          layer:
            introducedIn(
              history,
              (d) => d.find((p) => p.name === r.name && p.arch === r.arch),
              (a, b) => fullVersion(a) === fullVersion(b),
            ) ?? cur.layer,
          path: `/${path}`,
          files: r.files,
        });
      }
    }
    return out;
  },
};
