import { PackageURL } from 'packageurl-js';
import type { Cataloger, FoundPackage } from '../../analysis/analyzer.js';
import { catalogFiles, isBinaryCandidate, type FoundAt } from '../../analysis/catalog-helpers.js';
import { readGoBuildInfo, type GoBuildInfo } from './buildinfo.js';
import { applyReplaces, isLocalPath, parseGoMod, type GoMod } from './gomod.js';

// Go modules from two places: the build info the go command embeds in every binary it
// builds (images and source trees), and go.mod (source trees only).

export type GoFile = { kind: 'binary'; info: GoBuildInfo } | { kind: 'gomod'; mod: GoMod } | null;

const DEVEL = '(devel)';
// build settings worth keeping on the main module
const SETTINGS = ['GOOS', 'GOARCH', 'CGO_ENABLED', 'vcs', 'vcs.revision', 'vcs.time', 'vcs.modified'];

const isGoMod = (path: string): boolean => path === 'go.mod' || path.endsWith('/go.mod');

/**
 * The toolchain as OSV's Go ecosystem names the standard library's versions:
 * "go1.20.7" → "1.20.7", "go1.20" → "1.20.0", "go1.21rc2" → "1.21.0-rc.2"; undefined for devel builds.
 */
export function stdlibVersion(goVersion: string): string | undefined {
  const m = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?$/.exec(goVersion.split(/\s/)[0] ?? '');
  if (!m) return undefined;
  const base = `${m[1]}.${m[2]}.${m[3] ?? '0'}`;
  return m[4] ? `${base}-${m[4]}.${m[5]}` : base;
}

/** A module as built: a module replacement takes the original's place; a directory keeps the name, with no version. */
function built(
  path: string,
  version: string,
  replace: { path: string; version?: string } | undefined,
): Pick<FoundPackage, 'name' | 'version' | 'metadata'> {
  if (!replace) return { name: path, version, metadata: {} };
  if (isLocalPath(replace.path) || !replace.version || replace.version === DEVEL)
    return { name: path, version: DEVEL, metadata: { replacedBy: replace.path } };
  return { name: replace.path, version: replace.version, metadata: { replaces: `${path}@${version}` } };
}

function fromBinary(info: GoBuildInfo, base: FoundAt, issue: (m: string) => void): FoundPackage[] {
  const common = { ecosystem: 'golang' as const, licenses: [], files: [], ...base };
  // header removed (esbuild does): modules read from the module info text alone
  const mark: Record<string, string> = info.headerless ? { buildInfo: 'headerless' } : {};
  const out: FoundPackage[] = [];
  if (info.main) {
    const settings = Object.fromEntries(
      SETTINGS.filter((k) => info.settings[k] !== undefined).map((k) => [k, info.settings[k]!]),
    );
    out.push({
      ...common,
      name: info.main.path,
      version: info.main.version || DEVEL,
      metadata: { main: 'true', ...(info.goVersion ? { goVersion: info.goVersion } : {}), ...settings, ...mark },
    });
  }
  for (const d of info.deps) {
    const b = built(d.path, d.version, d.replace);
    out.push({ ...common, ...b, metadata: { ...b.metadata, ...mark } });
  }
  const std = stdlibVersion(info.goVersion);
  if (std)
    out.push({
      ...common,
      name: 'stdlib',
      version: std,
      metadata: { goVersion: info.goVersion, ...(info.path ? { mainPackage: info.path } : {}), ...mark },
    });
  else
    issue(
      info.goVersion
        ? `Go toolchain "${info.goVersion}" is not a release: the standard library is not listed`
        : 'Go build info header removed and the toolchain version not found: the standard library is not listed',
    );
  return out;
}

function fromGoMod(mod: GoMod, base: FoundAt): FoundPackage[] {
  const common = { ecosystem: 'golang' as const, licenses: [], files: [], ...base };
  const out: FoundPackage[] = [];
  // the module being developed: "(devel)", as the go command names an unreleased main module
  if (mod.module) out.push({ ...common, name: mod.module, version: DEVEL, metadata: { main: 'true' } });
  for (const r of applyReplaces(mod)) {
    const b = built(
      r.path,
      r.version,
      r.replaced && { path: r.replaced.newPath, ...(r.replaced.newVersion ? { version: r.replaced.newVersion } : {}) },
    );
    out.push({ ...common, ...b, metadata: { ...b.metadata, ...(r.indirect ? { indirect: 'true' } : {}) } });
  }
  return out;
}

export const golang: Cataloger<GoFile> = {
  id: 'golang',
  version: 1,
  ecosystem: 'golang',
  wants(path, info, target) {
    if (isGoMod(path)) return target === 'fs';
    return isBinaryCandidate(info);
  },
  parse(path, content) {
    if (isGoMod(path)) return { kind: 'gomod', mod: parseGoMod(content.toString('utf8')) };
    const info = readGoBuildInfo(content, path);
    return info ? { kind: 'binary', info } : null;
  },
  catalog(view, ctx) {
    return catalogFiles(view, (data, at) => {
      if (data.kind === 'gomod') return fromGoMod(data.mod, at);
      return fromBinary(data.info, at, (message) =>
        ctx.issue({ analyzer: 'golang', path: at.path, layer: at.layer, message }),
      );
    });
  },
  purl(pkg) {
    // purl-spec golang: the module path minus its last element is the namespace; both lower-cased
    const full = pkg.name.toLowerCase();
    const slash = full.lastIndexOf('/');
    return new PackageURL(
      'golang',
      slash > 0 ? full.slice(0, slash) : undefined,
      full.slice(slash + 1),
      pkg.version || undefined,
      undefined,
    ).toString();
  },
};
