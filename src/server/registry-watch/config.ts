import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BulwarkError, messageOf } from '../../core/errors.js';
import { globMatch } from '../../core/glob.js';
import { canonicalRegistry } from '../../registry/reference.js';

// The watcher's file (YAML, or JSON which is YAML too):
//
//   pollIntervalSeconds: 300
//   registries:
//     - url: https://registry.example.com     # or http://127.0.0.1:5000 with insecure: true
//       caFile: /etc/bulwark/registry-ca.pem  # optional extra CA
//       credentials: example-pull             # name of a sealed secret {"username","password"}
//       notificationToken: example-events     # name of the sealed bearer token it sends
//       repositories: [app, "team/*"]         # names or globs (* within a component, ** across)
//
// Secrets are names, never values: the values live sealed (src/server/secrets). Plain http
// or unverified TLS only for 127.0.0.1, ::1 and localhost, as `insecure: true`.

const SECRET_NAME = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'not a secret name');
const PATTERN = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-z0-9*][a-z0-9._*/-]*$/, 'not a repository name or glob');

const RegistryEntry = z.strictObject({
  url: z.string().max(300),
  insecure: z.boolean().default(false),
  caFile: z.string().min(1).optional(),
  credentials: SECRET_NAME.optional(),
  notificationToken: SECRET_NAME.optional(),
  repositories: z.array(PATTERN).min(1).max(1000),
});

const ConfigFile = z.strictObject({
  pollIntervalSeconds: z.number().int().min(10).max(86_400).default(300),
  registries: z.array(RegistryEntry).max(100),
});

export interface WatchedRegistry {
  /** As references name it: "127.0.0.1:5000", "registry.example.com". */
  registry: string;
  insecure: boolean;
  caFile?: string;
  credentials?: string;
  notificationToken?: string;
  repositories: string[];
}

export interface WatcherConfig {
  pollIntervalSeconds: number;
  registries: WatchedRegistry[];
}

const STRICT_LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

function registryOf(entry: z.infer<typeof RegistryEntry>, where: string): string {
  let url: URL;
  try {
    url = new URL(entry.url);
  } catch {
    throw new BulwarkError('CORRUPT', where, 'url is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new BulwarkError('CORRUPT', where, 'url must be https:// (or http:// for a loopback registry)');
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    throw new BulwarkError('CORRUPT', where, 'url is a scheme, host and port only (credentials go in a secret)');
  const loopback = STRICT_LOOPBACK.has(url.hostname.toLowerCase());
  if (entry.insecure && !loopback)
    throw new BulwarkError('CORRUPT', where, 'insecure is only allowed for 127.0.0.1, ::1 and localhost');
  if (url.protocol === 'http:' && !entry.insecure)
    throw new BulwarkError('CORRUPT', where, 'plain http needs insecure: true (loopback registries only)');
  return canonicalRegistry(url.host, where);
}

/** A parsed config document (from YAML or JSON) checked and normalised; `input` names it in errors. */
export function parseWatcherConfig(doc: unknown, input: string): WatcherConfig {
  const r = ConfigFile.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'document';
    throw new BulwarkError('CORRUPT', input, `${where}: ${(issue?.message ?? 'invalid').replace(/\s+/g, ' ')}`);
  }
  const seen = new Set<string>();
  const registries = r.data.registries.map((e, i) => {
    const registry = registryOf(e, `${input}: registries.${i}`);
    if (seen.has(registry)) throw new BulwarkError('CORRUPT', `${input}: registries.${i}`, `${registry} twice`);
    seen.add(registry);
    const w: WatchedRegistry = { registry, insecure: e.insecure, repositories: e.repositories };
    if (e.caFile) w.caFile = e.caFile;
    if (e.credentials) w.credentials = e.credentials;
    if (e.notificationToken) w.notificationToken = e.notificationToken;
    return w;
  });
  return { pollIntervalSeconds: r.data.pollIntervalSeconds, registries };
}

export function loadWatcherConfig(file: string): WatcherConfig {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: 100 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new BulwarkError('NOT_FOUND', file, 'no such file');
    throw new BulwarkError('CORRUPT', file, `not YAML or JSON (${messageOf(e).split('\n')[0]})`);
  }
  return parseWatcherConfig(doc, file);
}

export const isGlob = (pattern: string): boolean => pattern.includes('*');

/** Whether a repository is watched in this registry. */
export function watches(r: WatchedRegistry, repository: string): boolean {
  return r.repositories.some((p) => (isGlob(p) ? globMatch(p, repository) : p === repository));
}
