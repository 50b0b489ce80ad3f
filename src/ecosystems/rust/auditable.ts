import { inflateSync } from 'node:zlib';
import { z } from 'zod';
import { BulwarkError, messageOf } from '../../core/errors.js';
import { exeFormat, exeProblem, readExe, regionBytes, type Exe } from '../golang/exe.js';

// cargo-auditable embeds the crate graph in a section named .dep-v0 (__DATA,.dep-v0 on
// Mach-O): zlib-compressed JSON {"packages":[{name, version, source, kind?, dependencies?, root?}]}.

const SECTION = '.dep-v0';
// the format's own advice: legitimate audit data stays far below 8 MiB
const MAX_JSON = 8 << 20;

const Source = z.union([z.string(), z.object({ Other: z.string() }).transform((o) => o.Other)]);
const AuditPackage = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  source: Source,
  kind: z.enum(['build', 'runtime']).optional(),
  dependencies: z.array(z.number().int().nonnegative()).optional(),
  root: z.boolean().optional(),
});
const VersionInfo = z.object({ packages: z.array(AuditPackage), format: z.number().int().nonnegative().optional() });

export interface AuditedCrate {
  name: string;
  version: string;
  /** "crates.io", "git", "local", "registry", or another source's own name. */
  source: string;
  kind: 'build' | 'runtime';
  root: boolean;
}

function parseAuditJson(json: Buffer, input = 'executable'): AuditedCrate[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch (e) {
    throw new BulwarkError('CORRUPT', input, `cargo-auditable data: invalid JSON (${messageOf(e)})`);
  }
  const r = VersionInfo.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new BulwarkError(
      'CORRUPT',
      input,
      `cargo-auditable data: unexpected content${i && i.path.length > 0 ? ` at ${i.path.join('.')}` : ''}: ${i?.message ?? 'invalid'}`,
    );
  }
  return r.data.packages.map((p) => ({
    name: p.name,
    version: p.version,
    source: p.source,
    kind: p.kind ?? 'runtime',
    root: p.root === true,
  }));
}

/**
 * The crates recorded in an executable; null when it carries no audit data. Throws BulwarkError
 * when the data is present but unreadable (TOO_LARGE past the format's bound). `input` names the file.
 */
export function readAuditData(b: Buffer, input = 'executable'): AuditedCrate[] | null {
  if (!exeFormat(b)) return null;
  let exe: Exe;
  try {
    exe = readExe(b, input);
  } catch (e) {
    if (b.includes(SECTION))
      throw new BulwarkError(
        'CORRUPT',
        input,
        `executable with cargo-auditable data has malformed headers: ${exeProblem(e)}`,
        { cause: e },
      );
    return null;
  }
  const sec = exe.sections.find((s) => s.name === SECTION);
  if (!sec) return null;
  let json: Buffer;
  try {
    json = inflateSync(regionBytes(b, sec), { maxOutputLength: MAX_JSON });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? 'TOO_LARGE' : 'CORRUPT';
    throw new BulwarkError(code, input, `cargo-auditable data: cannot decompress (${messageOf(e)})`);
  }
  return parseAuditJson(json, input);
}
