import { BulwarkError } from '../../core/errors.js';
// go.mod as the go command reads it: one directive a line, or a verb followed by a
// parenthesised block of them; "//" comments; tokens may be "quoted" or `raw`.

interface GoRequire {
  path: string;
  version: string;
  indirect: boolean;
}

interface GoReplace {
  oldPath: string;
  /** Absent: every version of oldPath is replaced. */
  oldVersion?: string;
  newPath: string;
  /** Absent when newPath is a directory. */
  newVersion?: string;
}

export interface GoMod {
  module?: string;
  go?: string;
  toolchain?: string;
  require: GoRequire[];
  replace: GoReplace[];
}

const VERBS = new Set([
  'module',
  'go',
  'toolchain',
  'godebug',
  'require',
  'exclude',
  'replace',
  'retract',
  'tool',
  'ignore',
]);

/** A replacement target without a version must be a directory (as cmd/go decides it). */
export function isLocalPath(p: string): boolean {
  return (
    p.startsWith('./') ||
    p.startsWith('../') ||
    p.startsWith('/') ||
    p === '.' ||
    p === '..' ||
    /^[A-Za-z]:[\\/]/.test(p) ||
    p.startsWith('.\\') ||
    p.startsWith('..\\')
  );
}

interface Line {
  tokens: string[];
  comment: string;
}

function lex(line: string, lineNo: number): Line {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (line.startsWith('//', i)) return { tokens, comment: line.slice(i + 2).trim() };
    if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < line.length && line[j] !== c) j += c === '"' && line[j] === '\\' ? 2 : 1;
      if (j >= line.length) throw new BulwarkError('CORRUPT', `go.mod line ${lineNo}`, 'unterminated string');
      const raw = line.slice(i, j + 1);
      if (c === '`') tokens.push(raw.slice(1, -1));
      else {
        try {
          tokens.push(JSON.parse(raw) as string);
        } catch {
          throw new BulwarkError('CORRUPT', `go.mod line ${lineNo}`, `bad string ${raw}`);
        }
      }
      i = j + 1;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
      continue;
    }
    let j = i;
    while (j < line.length && !' \t\r"`()'.includes(line[j]!) && !line.startsWith('//', j)) j++;
    tokens.push(line.slice(i, j));
    i = j;
  }
  return { tokens, comment: '' };
}

function directive(mod: GoMod, verb: string, args: string[], comment: string, lineNo: number): void {
  const fail = (why: string): never => {
    throw new BulwarkError('CORRUPT', `go.mod line ${lineNo}`, `${verb} ${why}`);
  };
  switch (verb) {
    case 'module':
      if (args.length !== 1) fail('takes one module path');
      mod.module = args[0];
      break;
    case 'go':
      if (args.length !== 1) fail('takes one version');
      mod.go = args[0];
      break;
    case 'toolchain':
      if (args.length !== 1) fail('takes one name');
      mod.toolchain = args[0];
      break;
    case 'require':
      if (args.length !== 2) fail('takes a module path and a version');
      mod.require.push({
        path: args[0]!,
        version: args[1]!,
        indirect: comment === 'indirect' || comment.startsWith('indirect;'),
      });
      break;
    case 'replace': {
      const arrow = args.indexOf('=>');
      if (arrow < 1 || arrow > 2 || args.length - arrow - 1 < 1 || args.length - arrow - 1 > 2)
        fail('must be "old [version] => new [version]"');
      const [newPath, newVersion] = args.slice(arrow + 1);
      if (newVersion === undefined && !isLocalPath(newPath!))
        fail(`target ${newPath} needs a version (or is a directory that must start with ./ or ../)`);
      mod.replace.push({
        oldPath: args[0]!,
        ...(arrow === 2 ? { oldVersion: args[1]! } : {}),
        newPath: newPath!,
        ...(newVersion !== undefined ? { newVersion } : {}),
      });
      break;
    }
    default:
      break; // exclude, retract, godebug, tool, ignore: not part of what is built
  }
}

export function parseGoMod(text: string): GoMod {
  const mod: GoMod = { require: [], replace: [] };
  let block: string | undefined;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const { tokens, comment } = lex(raw, lineNo);
    if (tokens.length === 0) continue;
    if (block !== undefined) {
      if (tokens[0] === ')') {
        if (tokens.length > 1) throw new BulwarkError('CORRUPT', `go.mod line ${lineNo}`, 'text after ")"');
        block = undefined;
      } else directive(mod, block, tokens, comment, lineNo);
      continue;
    }
    const [verb, ...args] = tokens as [string, ...string[]];
    if (!VERBS.has(verb)) throw new BulwarkError('CORRUPT', `go.mod line ${lineNo}`, `unknown directive "${verb}"`);
    if (args.length === 1 && args[0] === '(') block = verb;
    else if (args.length === 2 && args[0] === '(' && args[1] === ')') continue;
    else directive(mod, verb, args, comment, lineNo);
  }
  if (block !== undefined) throw new BulwarkError('TRUNCATED', 'go.mod', `"${block} (" block is not closed`);
  return mod;
}

/** A required module after replace directives: the one that is built. */
export interface GoDependency extends GoRequire {
  replaced?: GoReplace;
}

export function applyReplaces(mod: GoMod): GoDependency[] {
  return mod.require.map((r) => {
    // a replacement naming the exact version wins over one for every version
    const rep =
      mod.replace.find((p) => p.oldPath === r.path && p.oldVersion === r.version) ??
      mod.replace.find((p) => p.oldPath === r.path && p.oldVersion === undefined);
    return rep ? { ...r, replaced: rep } : r;
  });
}
