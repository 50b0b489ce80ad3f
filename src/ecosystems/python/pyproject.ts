import { z } from 'zod';
import type { PyPackage } from './package.js';
import { parseToml } from './toml.js';

// pyproject.toml: the project itself, the application component. PEP 621 puts its name and
// version in [project]; Poetry before 2.0 in [tool.poetry]. A version computed at build time
// (`dynamic = ["version"]`) or a file without a project (tool settings only) names no package.

const Named = z.object({ name: z.string().optional(), version: z.string().optional() });
const Pyproject = z.object({
  project: Named.extend({
    license: z.union([z.string(), z.object({ text: z.string().optional() })]).optional(),
  }).optional(),
  tool: z.object({ poetry: Named.extend({ license: z.string().optional() }).optional() }).optional(),
});

export function parsePyproject(text: string): PyPackage | null {
  const doc = parseToml(text, Pyproject, 'pyproject.toml');
  const p = doc.project?.name ? doc.project : doc.tool?.poetry;
  if (!p?.name || !p.version) return null;
  const license = typeof p.license === 'string' ? p.license : p.license?.text;
  return { name: p.name, version: p.version, ...(license ? { licenses: [license] } : {}) };
}
