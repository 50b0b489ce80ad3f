import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { BulwarkError, messageOf } from '../core/errors.js';
import { dockerConfigPath, keyRegistry, parseSecretJson, type Credentials } from './auth.js';
import { canonicalRegistry, DOCKER_HUB } from './reference.js';

// `bulwark registry login/logout`: docker's config.json, written as `docker login` writes
// it — an "auths" entry per registry host holding base64("user:password"), the file mode
// 0600 — so docker, skopeo and Bulwark all read the same login. Every other field of the
// file is kept as it was.

/** Docker Hub's key, as docker writes it; other registries are keyed by host[:port]. */
const HUB_KEY = 'https://index.docker.io/v1/';

const ConfigFile = z.looseObject({
  auths: z.record(z.string(), z.unknown()).optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});
type ConfigFile = z.infer<typeof ConfigFile>;

export interface LoginChange {
  /** The config file written. */
  config: string;
  /** The auths key written or removed. */
  key: string;
  /** Whether the file held a login for that registry before. */
  existed: boolean;
  /** A credential helper docker's config names for this registry (docker would use it, not "auths"). */
  helper?: string;
}

function read(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new BulwarkError('IO', path, `cannot read docker's config (${messageOf(e)})`);
  }
  return parseSecretJson(text, ConfigFile, path);
}

/** Replaces the file at once (a reader never sees half of it), readable by its owner only. */
function write(path: string, doc: ConfigFile): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, `${JSON.stringify(doc, null, '\t')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new BulwarkError(
      'IO',
      path,
      `cannot write docker's config (${(e as NodeJS.ErrnoException).code ?? messageOf(e)})`,
    );
  }
}

/** Edits the auths entries of one registry; edit returns whether it added one. */
function change(
  host: string,
  env: NodeJS.ProcessEnv,
  edit: (auths: Record<string, unknown>, key: string) => boolean,
): LoginChange {
  const registry = canonicalRegistry(host.replace(/^https?:\/\//i, '').replace(/\/.*$/, ''), host);
  const key = registry === DOCKER_HUB ? HUB_KEY : registry;
  const config = dockerConfigPath(env);
  const doc = read(config);
  // Object.create(null): keys come from a file anyone may have edited
  const auths: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, doc.auths ?? {});
  const same = Object.keys(auths).filter((k) => keyRegistry(k) === registry);
  for (const k of same) delete auths[k];
  const changed = edit(auths, key) || same.length > 0;
  if (changed) write(config, { ...doc, auths: { ...auths } });
  const helper = Object.entries(doc.credHelpers ?? {}).find(([k]) => keyRegistry(k) === registry)?.[1];
  return { config, key, existed: same.length > 0, ...(helper ? { helper: `docker-credential-${helper}` } : {}) };
}

/** Stores a login for one registry (any older entries for the same registry are replaced). */
export function saveLogin(host: string, c: Credentials, env: NodeJS.ProcessEnv = process.env): LoginChange {
  if (c.username === '' || c.username.includes(':'))
    throw new BulwarkError('USAGE', 'username', 'must be non-empty and without ":" (docker stores "user:password")');
  if (c.password === '') throw new BulwarkError('USAGE', 'password', 'is empty');
  return change(host, env, (auths, key) => {
    auths[key] = { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') };
    return true;
  });
}

/** Removes every login for one registry. */
export function removeLogin(host: string, env: NodeJS.ProcessEnv = process.env): LoginChange {
  return change(host, env, () => false);
}
