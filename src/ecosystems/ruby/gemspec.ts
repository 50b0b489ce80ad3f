import { BulwarkError } from '../../core/errors.js';
import { checkGem, type GemEntry } from './gem.js';

// An installed gem's specification (specifications/<name>-<version>[-<platform>].gemspec),
// written by RubyGems as Ruby code: `s.name = "rake".freeze`. It is read with regular
// expressions and never evaluated.

const STRING = /(["'])((?:(?!\1)[^\\\n]|\\.)*)\1/g;

/** The right-hand side of the first `<var>.<field> = …` line. */
function assignment(text: string, field: string): string | undefined {
  const m = new RegExp(`^[ \\t]*\\w+\\.${field}[ \\t]*=[ \\t]*(.+)$`, 'm').exec(text);
  return m?.[1];
}

/** The first string literal of an assignment, also inside `Gem::Version.new("…")` or `Gem::Platform.new("…")`. */
function stringOf(rhs: string | undefined): string | undefined {
  if (rhs === undefined) return undefined;
  const m = /^(?:Gem::(?:Version|Platform)\.new\(\s*)?(["'])((?:(?!\1)[^\\\n])*)\1/.exec(rhs.trim());
  return m?.[2];
}

function stringsOf(rhs: string | undefined): string[] {
  return rhs === undefined ? [] : [...rhs.matchAll(STRING)].map((m) => m[2]!).filter((s) => s !== '');
}

export function parseGemspec(path: string, text: string): GemEntry {
  const name = stringOf(assignment(text, 'name'));
  const version = stringOf(assignment(text, 'version'));
  if (!name || !version)
    throw new BulwarkError('MISSING_FIELD', path, `no recognisable ${name ? 'version' : 'name'} assignment`);
  // `s.platform = "x86_64-linux"`, or the "# stub: name version platform paths" line RubyGems writes first
  const platform = stringOf(assignment(text, 'platform')) ?? /^# stub: \S+ \S+ (\S+)/m.exec(text)?.[1];
  const licenses = [
    ...new Set([...stringsOf(assignment(text, 'licenses')), ...stringsOf(assignment(text, 'license'))]),
  ];
  const gem: GemEntry = { name, version, licenses, ...(platform ? { platform } : {}) };
  if (/(?:^|\/)specifications\/default\//.test(path)) gem.metadata = { default: 'true' };
  return checkGem(gem, path);
}
