// The module information the go command embeds in a binary (what `go version -m` prints):
// tab-separated lines "path", "mod", "dep", "=>" (replacement of the line before) and "build".
import { BulwarkError } from '../../core/errors.js';

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  /** The module that replaced this one (a module path, or a directory with version "(devel)"). */
  replace?: GoModule;
}

export interface ModInfo {
  /** The main package's import path. */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  /** "build" settings: GOOS, GOARCH, vcs.revision, … */
  settings: Record<string, string>;
}

function moduleLine(cols: string[], lineNo: number, input: string): GoModule {
  if (cols.length < 2 || cols.length > 3 || !cols[0])
    throw new BulwarkError('CORRUPT', input, `module info line ${lineNo}: expected path, version and optional sum`);
  return { path: cols[0], version: cols[1]!, ...(cols[2] ? { sum: cols[2] } : {}) };
}

// build settings quote a key or value with Go string syntax when it holds spaces, tabs or quotes
function unquote(s: string): string {
  if (!s.startsWith('"')) return s;
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'string' ? v : s;
  } catch {
    return s;
  }
}

/** Throws BulwarkError CORRUPT naming `input` (the executable) for a module line it cannot read. */
export function parseModinfo(text: string, input = 'module info'): ModInfo {
  // setting names are the binary's text: no inherited keys
  const info: ModInfo = { deps: [], settings: Object.create(null) as Record<string, string> };
  let last: GoModule | undefined;
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const [kind, rest] = tab < 0 ? [line, ''] : [line.slice(0, tab), line.slice(tab + 1)];
    switch (kind) {
      case 'path':
        info.path = rest;
        break;
      case 'mod':
        last = info.main = moduleLine(rest.split('\t'), lineNo, input);
        break;
      case 'dep':
        info.deps.push((last = moduleLine(rest.split('\t'), lineNo, input)));
        break;
      case '=>':
        if (!last || last.replace)
          throw new BulwarkError(
            'CORRUPT',
            input,
            `module info line ${lineNo}: replacement without a module before it`,
          );
        last.replace = moduleLine(rest.split('\t'), lineNo, input);
        break;
      case 'build': {
        const eq = rest.startsWith('"') ? rest.indexOf('=', rest.indexOf('"', 1)) : rest.indexOf('=');
        if (eq > 0) info.settings[unquote(rest.slice(0, eq))] = unquote(rest.slice(eq + 1));
        break;
      }
      default:
        break; // newer toolchains may add line kinds: skip rather than lose the binary
    }
  }
  return info;
}
