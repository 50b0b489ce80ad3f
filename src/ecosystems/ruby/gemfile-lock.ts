import { BulwarkError } from '../../core/errors.js';
import { checkGem, type GemEntry } from './gem.js';

// Bundler's Gemfile.lock: sections named in capitals at column 0. GEM (rubygems
// sources), GIT and PATH each list their gems under "  specs:" as four-space
// "name (version[-platform])" lines, each gem's own dependencies six spaces in.

const SOURCES = new Set(['GEM', 'GIT', 'PATH']);
const SECTION = /^[A-Z][A-Z ]*$/;
// Bundler's split: the version runs to the first "-", the platform is the rest
const SPEC = /^ {4}([^\s()]+) \(([^-()\s]+)(?:-([^()\s]+))?\)$/;
const OPTION = /^ {2}(\w+): ?(.*)$/;

export function parseGemfileLock(path: string, text: string): GemEntry[] {
  const out: GemEntry[] = [];
  let section: string | undefined;
  let options: Record<string, string> = Object.create(null) as Record<string, string>; // keys are the file's text
  let sections = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    if (!line.startsWith(' ')) {
      if (!SECTION.test(line))
        throw new BulwarkError('CORRUPT', `${path}: line ${i + 1}`, `unexpected "${line.slice(0, 40)}"`);
      section = line;
      options = Object.create(null) as Record<string, string>;
      sections++;
      return;
    }
    if (section === undefined)
      throw new BulwarkError('CORRUPT', `${path}: line ${i + 1}`, 'content before the first section');
    if (!SOURCES.has(section) || line.startsWith('      ')) return; // other sections; dependency lines
    const opt = OPTION.exec(line);
    if (opt) {
      options[opt[1]!] = opt[2]!;
      return;
    }
    const m = SPEC.exec(line);
    if (!m) throw new BulwarkError('CORRUPT', `${path}: line ${i + 1}`, `expected "name (version)" in ${section}`);
    const gem: GemEntry = { name: m[1]!, version: m[2]!, licenses: [], ...(m[3] ? { platform: m[3] } : {}) };
    if (section !== 'GEM') {
      // a gem from a git repository or a local folder: say where, as Bundler recorded it
      gem.metadata = {
        source: section.toLowerCase(),
        ...(options.remote ? { remote: options.remote } : {}),
        ...(options.revision ? { revision: options.revision } : {}),
      };
    }
    out.push(checkGem(gem, path));
  });
  if (sections === 0) throw new BulwarkError('UNKNOWN_FORMAT', path, 'no Gemfile.lock sections');
  return out;
}
