import { OS_ECOSYSTEMS, type LayerRef, type Package } from '../../core/types.js';
import type { FileView } from '../../analysis/analyzer.js';
import type { CheckInfo, CheckResult } from '../check.js';
import type { FsFact } from './analyzer.js';

// Filesystem checks over the image as it stands (deleted files do not count): each
// result names the layer that introduced the file.

interface FsInput {
  view: FileView<FsFact>;
  packages: readonly Package[];
}

type FsCheck = (x: FsInput, info: CheckInfo) => CheckResult[];

const result = (info: CheckInfo, message: string, path: string, layer?: LayerRef): CheckResult => ({
  checkId: info.id,
  severity: info.severity,
  title: info.title,
  message,
  location: { path, ...(layer ? { layer } : {}) },
});

function facts<K extends FsFact['kind']>(
  x: FsInput,
  kind: K,
): { path: string; fact: Extract<FsFact, { kind: K }>; layer: LayerRef }[] {
  const out: { path: string; fact: Extract<FsFact, { kind: K }>; layer: LayerRef }[] = [];
  for (const path of x.view.paths()) {
    const v = x.view.get(path);
    if (v && v.data.kind === kind)
      out.push({ path: `/${path}`, fact: v.data as Extract<FsFact, { kind: K }>, layer: v.layer });
  }
  return out;
}

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/** Merged-/usr images keep /bin, /sbin and /lib* as links into /usr: dpkg lists /bin/su for what sits at /usr/bin/su. */
const canonical = (path: string): string => path.replace(/^\/(bin|sbin|lib|lib32|lib64|libx32)\//, '/usr/$1/');

/** Files OS packages installed (canonical path) → the package and the layer it was installed or last changed in. */
function osOwned(packages: readonly Package[]): Map<string, Package> {
  const owned = new Map<string, Package>();
  for (const p of packages) {
    if (!OS_ECOSYSTEMS.includes(p.ecosystem)) continue;
    for (const f of p.files) {
      const key = canonical(f);
      const had = owned.get(key);
      if (!had || p.layer.index > had.layer.index) owned.set(key, p);
    }
  }
  return owned;
}

type SetidFact = ReturnType<typeof facts<'setid'>>[number];

/**
 * Set-id files split by who put them there: the distribution's own (BW-FS-001) or an
 * application layer's (BW-FS-007): no OS package lists the file, or a layer after the one
 * its package came in changed it (a chmod u+s, a replaced binary).
 */
function setidFiles(x: FsInput): { os: { f: SetidFact; pkg: Package }[]; other: { f: SetidFact; pkg?: Package }[] } {
  const owned = osOwned(x.packages);
  const os: { f: SetidFact; pkg: Package }[] = [];
  const other: { f: SetidFact; pkg?: Package }[] = [];
  for (const f of facts(x, 'setid')) {
    const pkg = owned.get(canonical(f.path));
    if (pkg && f.layer.index <= pkg.layer.index) os.push({ f, pkg });
    else other.push({ f, ...(pkg ? { pkg } : {}) });
  }
  return { os, other };
}

const setidKind = (fact: { mode: number }): string =>
  `${fact.mode & 0o4000 ? 'set-user-id' : 'set-group-id'} (mode ${octal(fact.mode)})`;

const setid: FsCheck = (x, info) =>
  setidFiles(x).os.map(({ f: { path, fact, layer }, pkg }) =>
    result(info, `${path} is ${setidKind(fact)}, installed by ${pkg.ecosystem} package ${pkg.name}`, path, layer),
  );

const setidUnpackaged: FsCheck = (x, info) =>
  setidFiles(x).other.map(({ f: { path, fact, layer }, pkg }) =>
    result(
      info,
      pkg
        ? `${path} is ${setidKind(fact)}, changed in layer ${layer.index} after ${pkg.ecosystem} package ${pkg.name} installed it in layer ${pkg.layer.index}`
        : `${path} is ${setidKind(fact)} and no OS package installed it`,
      path,
      layer,
    ),
  );

const worldWritable: FsCheck = (x, info) =>
  facts(x, 'world-writable').map(({ path, fact, layer }) =>
    result(info, `${path} is writable by every user (mode ${octal(fact.mode)})`, path, layer),
  );

const shadowHashes: FsCheck = (x, info) =>
  facts(x, 'shadow')
    .filter(({ fact }) => fact.users.length > 0)
    .map(({ path, fact, layer }) =>
      result(info, `${path} holds password hashes for ${fact.users.join(', ')}`, path, layer),
    );

const gitDirs: FsCheck = (x, info) =>
  facts(x, 'git').map(({ path, layer }) =>
    result(
      info,
      `${path.slice(0, -'/HEAD'.length)} is a git repository (history and remotes ship with the image)`,
      path.slice(0, -'/HEAD'.length),
      layer,
    ),
  );

const caches: FsCheck = (x, info) => {
  const by = new Map<string, { files: number; bytes: number; layer: LayerRef }>();
  for (const { fact, layer } of facts(x, 'cache')) {
    const c = by.get(fact.cache) ?? { files: 0, bytes: 0, layer };
    c.files++;
    c.bytes += fact.size;
    if (layer.index > c.layer.index) c.layer = layer;
    by.set(fact.cache, c);
  }
  return [...by].map(([dir, c]) =>
    result(
      info,
      `/${dir.replace(/^\//, '')} keeps ${c.files} file${c.files === 1 ? '' : 's'} (${(c.bytes / 2 ** 20).toFixed(1)} MiB) of package-manager cache`,
      `/${dir.replace(/^\//, '')}`,
      c.layer,
    ),
  );
};

const sudo: FsCheck = (x, info) =>
  x.packages
    .filter((p) => p.name === 'sudo' && (p.ecosystem === 'deb' || p.ecosystem === 'apk' || p.ecosystem === 'rpm'))
    .map((p) => result(info, `sudo ${p.version} is installed`, p.path, p.layer));

export const FS_CHECKS: Record<string, FsCheck> = {
  'BW-FS-001': setid,
  'BW-FS-002': worldWritable,
  'BW-FS-003': shadowHashes,
  'BW-FS-004': gitDirs,
  'BW-FS-005': caches,
  'BW-FS-006': sudo,
  'BW-FS-007': setidUnpackaged,
};
