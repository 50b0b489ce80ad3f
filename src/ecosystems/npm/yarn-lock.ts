import { parseSyml } from '@yarnpkg/parsers';
import { z } from 'zod';
import { BulwarkError, messageOf } from '../../core/errors.js';
import { checkName, dedupe, splitSpec, type NpmEntry } from './entry.js';

// yarn.lock, classic (v1, its own syntax) and berry (YAML with __metadata). Each entry is
// keyed by the descriptors it satisfies ("ms@2.1.3, ms@^2.1.3"); berry adds "resolution",
// the locator that names the real package ("debug@npm:4.4.0", also behind an alias).

const Version = z.union([z.string(), z.number()]).transform(String);
const Entry = z.object({ version: Version, resolution: z.string().optional() });

// Protocols of the project's own packages (workspaces, links, local folders and files)
// and of patched copies that berry lists beside the unpatched original.
const CLASSIC_LOCAL = /^(?:file|link|workspace|portal):/;
const BERRY_LOCAL = /^(?:workspace|link|portal|file|patch|exec):/;

/** "debug@4.4.0" or a bare "debug": the package behind an alias. */
function aliased(spec: string): string {
  const at = spec.indexOf('@', 1);
  return at < 0 ? spec : spec.slice(0, at);
}

function documentOf(path: string, text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseSyml(text);
  } catch (e) {
    throw new BulwarkError('CORRUPT', path, messageOf(e).split('\n')[0]!, { cause: e });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new BulwarkError('UNKNOWN_FORMAT', path, 'not a yarn lockfile');
  return doc as Record<string, unknown>;
}

export function parseYarnLock(path: string, content: Buffer): NpmEntry[] {
  const doc = documentOf(path, content.toString('utf8'));
  const berry = '__metadata' in doc;
  const out: NpmEntry[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (key === '__metadata') continue;
    const r = Entry.safeParse(value);
    if (!r.success) throw new BulwarkError('MISSING_FIELD', path, `entry "${key}" has no version`);
    const first = key.split(',')[0]!.trim();
    let name: string;
    if (berry) {
      if (!r.data.resolution) throw new BulwarkError('MISSING_FIELD', path, `entry "${key}" has no resolution`);
      const [n, ref] = splitSpec(r.data.resolution, path);
      if (BERRY_LOCAL.test(ref)) continue;
      name = n;
    } else {
      const [n, range] = splitSpec(first, path);
      if (CLASSIC_LOCAL.test(range)) continue;
      // an alias ("debug4@npm:debug@4.4.0") locks the aliased package
      name = range.startsWith('npm:') ? aliased(range.slice(4)) : n;
    }
    out.push({ name: checkName(name, path), version: r.data.version, licenses: [] });
  }
  return dedupe(out);
}
