import { z } from 'zod';
import { parseJson } from '../../core/json.js';
import type { PyPackage } from './package.js';

// Pipfile.lock (pipfile-spec 6): JSON with _meta, and "default" (runtime) and
// "develop" sections mapping names to { version: "==x", hashes, markers … }.
// Git, path and editable entries lock no version and are passed over.

const Section = z.record(z.string(), z.object({ version: z.string().optional() }));
const Lock = z.object({
  _meta: z.record(z.string(), z.unknown()),
  default: Section.optional(),
  develop: Section.optional(),
});

export function parsePipfileLock(content: Buffer | string): PyPackage[] {
  const lock = parseJson(content, Lock, 'Pipfile.lock');
  const out: PyPackage[] = [];
  const add = (section: z.infer<typeof Section> | undefined, dev: boolean): void => {
    for (const [name, entry] of Object.entries(section ?? {})) {
      const m = /^===?\s*(\S+)$/.exec(entry.version ?? '');
      // a package both sections lock is a runtime one
      if (!m || (dev && out.some((p) => p.name === name && p.version === m[1]))) continue;
      out.push({ name, version: m[1]!, ...(dev ? { dev } : {}) });
    }
  };
  add(lock.default, false);
  add(lock.develop, true);
  return out;
}
