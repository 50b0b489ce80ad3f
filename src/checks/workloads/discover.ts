import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import { BulwarkError, messageOf } from '../../core/errors.js';
import { composeFromDocument, isComposeDocument } from './compose.js';
import { dockerCreateFromDocument, isDockerCreateBody } from './docker-create.js';
import { isKubernetesObject, kubernetesFromDocuments } from './kubernetes.js';
import type { ParsedWorkloads, Skipped, Workload, WorkloadTarget } from './model.js';
import { own, readJsonDocument, readYamlDocuments, type SourceDoc } from './source.js';

// Finding workload configuration under a path: Kubernetes manifests, compose files and Docker
// container-create bodies. The walk is bounded (file size, file count, depth), skips
// node_modules and VCS directories, and never follows a symlink out of the scanned directory
// (symlinked directories are not followed at all). A file that cannot be read or parsed is an
// error of that file; the scan goes on.

interface ConfigFile {
  file: string;
  type: WorkloadTarget;
}

export interface ConfigScan {
  files: ConfigFile[];
  workloads: Workload[];
  skipped: Skipped[];
  errors: BulwarkError[];
}

export interface ScanConfigOptions {
  /** Largest file read, in bytes (default 8 MiB). */
  maxFileSize?: number;
  /** Most files looked at (default 20 000). */
  maxFiles?: number;
  /** Deepest directory level (default 32). */
  maxDepth?: number;
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);
const CONFIG_EXT = new Set(['.yaml', '.yml', '.json']);
const COMPOSE_NAME = /^(?:docker-)?compose(?:[.-][\w.-]*)?\.ya?ml$/i;
/** Looks like it was meant as a manifest or compose file, so failing to parse it is worth reporting. */
const RELEVANT = /^\s*(?:apiVersion|kind|services)\s*:|"(?:apiVersion|kind|HostConfig)"\s*:/m;
/** Helm / Go template actions: the file is not YAML until rendered. */
const TEMPLATE = /\{\{-?\s*[\w.$"(/]/;

export function isComposeFileName(file: string): boolean {
  return COMPOSE_NAME.test(basename(file));
}

/** What a file is, read from its documents; undefined when it is none of the three. */
export function classify(file: string, docs: readonly SourceDoc[]): WorkloadTarget | undefined {
  if (isComposeFileName(file) && docs[0] && isComposeDocument(docs[0].value)) return 'compose';
  if (docs.some((d) => isKubernetesObject(d.value))) return 'kubernetes';
  if (extname(file).toLowerCase() === '.json' && docs.length === 1 && isDockerCreateBody(docs[0]!.value))
    return 'docker-create';
  if (docs[0] && isComposeDocument(docs[0].value) && own(docs[0].value, 'apiVersion') === undefined) return 'compose';
  return undefined;
}

function readDocs(text: string, file: string): SourceDoc[] {
  return extname(file).toLowerCase() === '.json' ? [readJsonDocument(text, file)] : readYamlDocuments(text, file);
}

/** Reads one file's workloads into `out`. */
async function scanFile(
  file: string,
  opts: Required<ScanConfigOptions>,
  out: ConfigScan,
  explicit: boolean,
): Promise<void> {
  const info = await stat(file);
  if (info.size > opts.maxFileSize) {
    out.skipped.push({ file, reason: `larger than ${opts.maxFileSize} bytes` });
    return;
  }
  const text = await readFile(file, 'utf8');
  const named = isComposeFileName(file);
  const relevant = named || explicit || RELEVANT.test(text);
  // Helm / Go templates only become manifests once rendered; quoted {{ }} in values (alert
  // templates and the like) are fine, so a template is only assumed when reading fails
  const templated = TEMPLATE.test(text) && relevant;
  const asTemplate = () =>
    out.skipped.push({
      file,
      reason: 'contains template placeholders ({{ … }}): render it first (helm template, envsubst)',
    });
  let docs: SourceDoc[];
  try {
    docs = readDocs(text, file);
  } catch (e) {
    if (templated) return void asTemplate();
    if (relevant) throw e;
    return; // some other YAML/JSON file
  }
  const type = classify(file, docs);
  if (!type) {
    if (explicit)
      out.skipped.push({ file, reason: 'not a Kubernetes manifest, compose file or container-create body' });
    return;
  }
  // a file is all or nothing: a wrong field anywhere makes it an error, as the API server would
  let r: ParsedWorkloads;
  try {
    r =
      type === 'kubernetes'
        ? kubernetesFromDocuments(docs)
        : type === 'compose'
          ? composeFromDocument(docs[0]!)
          : { workloads: [dockerCreateFromDocument(docs[0]!)], skipped: [] };
  } catch (e) {
    if (templated) return void asTemplate();
    throw e;
  }
  out.files.push({ file, type });
  out.workloads.push(...r.workloads);
  out.skipped.push(...r.skipped);
}

function asError(e: unknown, file: string): BulwarkError {
  if (e instanceof BulwarkError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  return new BulwarkError('IO', file, `cannot read (${code ?? messageOf(e)})`);
}

/**
 * Scans a file or directory for workload configuration. A missing path is an error; problems
 * with single files are collected in `errors`, files left out (too large, templates, kinds
 * without pods) in `skipped`.
 */
export async function scanConfigPath(path: string, options: ScanConfigOptions = {}): Promise<ConfigScan> {
  const opts: Required<ScanConfigOptions> = {
    maxFileSize: options.maxFileSize ?? 8 << 20,
    maxFiles: options.maxFiles ?? 20_000,
    maxDepth: options.maxDepth ?? 32,
  };
  const out: ConfigScan = { files: [], workloads: [], skipped: [], errors: [] };
  let top;
  try {
    top = await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new BulwarkError('NOT_FOUND', path, 'no such file or directory');
    throw asError(e, path);
  }
  if (!top.isDirectory()) {
    try {
      await scanFile(path, opts, out, true);
    } catch (e) {
      out.errors.push(asError(e, path));
    }
    return out;
  }
  const root = await realpath(path);
  let seen = 0;
  let full = false;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (full) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      out.errors.push(asError(e, dir));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const p = join(dir, ent.name);
      if (ent.isDirectory()) {
        if (SKIP_DIRS.has(ent.name)) continue;
        if (depth >= opts.maxDepth) {
          out.skipped.push({ file: p, reason: `deeper than ${opts.maxDepth} directories` });
          continue;
        }
        await walk(p, depth + 1);
        continue;
      }
      if (!CONFIG_EXT.has(extname(ent.name).toLowerCase())) continue;
      if (ent.isSymbolicLink()) {
        let target: string;
        try {
          target = await realpath(p);
        } catch {
          out.skipped.push({ file: p, reason: 'dangling symlink' });
          continue;
        }
        const rel = relative(root, target);
        if (rel.startsWith(`..${sep}`) || rel === '..' || rel.startsWith(sep) || /^[A-Za-z]:/.test(rel)) {
          out.skipped.push({ file: p, reason: 'symlink leads outside the scanned directory' });
          continue;
        }
        if (!(await lstat(target)).isFile()) continue;
      } else if (!ent.isFile()) continue;
      if (full) return;
      if (++seen > opts.maxFiles) {
        full = true;
        out.skipped.push({ file: p, reason: `more than ${opts.maxFiles} candidate files; the rest were not read` });
        return;
      }
      try {
        await scanFile(p, opts, out, false);
      } catch (e) {
        out.errors.push(asError(e, p));
      }
    }
  };
  await walk(path, 0);
  return out;
}
