import type { FileAnalyzer, FileInfo } from '../../analysis/analyzer.js';

// The files filesystem checks look at, chosen by path and mode bits as the layer walker
// passes them: set-id executables, world-writable files, /etc/shadow, .git directories
// and package-manager caches. Only facts are kept (no content: a shadow file yields user
// names whose password is set, never the hashes).

export type FsFact =
  | { kind: 'setid'; mode: number }
  | { kind: 'world-writable'; mode: number }
  | { kind: 'shadow'; users: string[] }
  | { kind: 'git' }
  | { kind: 'cache'; cache: string; size: number };

const TEMP_DIRS = /^(tmp|var\/tmp|dev\/shm|run\/lock|var\/lock)\//;

/** Caches package managers leave behind, by the directory that holds them. */
const CACHES: [RegExp, string][] = [
  [/^var\/cache\/apt\/archives\/[^/]+\.deb$/, 'var/cache/apt/archives'],
  [/^var\/lib\/apt\/lists\/[^/]+_(Packages|Sources|InRelease|Release)(\.(lz4|gz|xz))?$/, 'var/lib/apt/lists'],
  [/^var\/cache\/apk\/[^/]+\.(apk|tar\.gz)$/, 'var/cache/apk'],
  [/^var\/cache\/(yum|dnf)\/.+\.(rpm|sqlite|solv|xml\.gz)$/, 'var/cache/dnf'],
  [/^(root|home\/[^/]+)\/\.cache\/pip\/.+/, '~/.cache/pip'],
  [/^(root|home\/[^/]+)\/\.npm\/_cacache\/.+/, '~/.npm/_cacache'],
];

function cacheOf(path: string): string | undefined {
  for (const [re, name] of CACHES)
    if (re.test(path)) return name.startsWith('~') ? `${path.split('/.')[0]}/${name.slice(2)}` : name;
  return undefined;
}

const isRegular = (info: FileInfo): boolean => (info.mode & 0o170000) === 0 || (info.mode & 0o170000) === 0o100000;

export const fsFacts: FileAnalyzer<FsFact> = {
  id: 'fs-facts',
  version: 1,
  wants(path, info) {
    if (!isRegular(info)) return false;
    if (info.mode & 0o6000 && info.mode & 0o111) return true;
    if (info.mode & 0o002 && !TEMP_DIRS.test(path)) return true;
    return path === 'etc/shadow' || path.endsWith('/.git/HEAD') || path === '.git/HEAD' || cacheOf(path) !== undefined;
  },
  parse(path, content, info): FsFact {
    const mode = info?.mode ?? 0;
    if (path === 'etc/shadow') {
      // user:hash:…; "*", "!" and "!!" (or a hash behind "!") mean no password login
      const users = content
        .toString('utf8')
        .split('\n')
        .map((l) => l.split(':'))
        .filter((f) => f.length >= 2 && f[1] !== '' && !/^[*!]/.test(f[1]!))
        .map((f) => f[0]!);
      return { kind: 'shadow', users };
    }
    if (path.endsWith('.git/HEAD')) return { kind: 'git' };
    const cache = cacheOf(path);
    if (cache) return { kind: 'cache', cache, size: content.length };
    if (mode & 0o6000 && mode & 0o111) return { kind: 'setid', mode };
    return { kind: 'world-writable', mode };
  },
};
