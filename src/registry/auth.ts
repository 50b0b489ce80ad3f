import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { canonicalRegistry } from './reference.js';

// Registry authentication as docker does it: anonymous until a 401 names a scheme;
// Basic sends the credentials; Bearer fetches a token for the challenge's scope from
// its realm (with the credentials, when any) and caches it per scope until it expires.
// Credentials belong to one registry, as docker's logins do: BULWARK_REGISTRY_USERNAME/
// PASSWORD only for the registry BULWARK_REGISTRY names, else the "auths" entry of
// docker's config.json for that host (`bulwark registry login` writes one). They go to
// that registry's origin and to the token realm its own challenge names, and only over
// https (plain http only to the registry's own loopback origin under --insecure).
// Credential helpers are programs, and Bulwark never runs them.

export interface Credentials {
  username: string;
  password: string;
}

export interface CredentialLookup {
  credentials?: Credentials;
  /** Where they came from, for messages (never the secret itself). */
  source?: string;
  /** A docker credential helper that holds this registry's credentials (not run). */
  helper?: string;
  /** Other reasons found credentials could not be used. */
  note?: string;
  /** The docker config file consulted. */
  config?: string;
}

const AuthEntry = z.looseObject({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});
const DockerConfig = z.looseObject({
  auths: z.record(z.string(), AuthEntry).optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});

/**
 * JSON that holds credentials, against a schema: an error names the file and the place,
 * never a piece of its text (V8's syntax errors quote the input around the fault).
 */
export function parseSecretJson<S extends z.ZodType>(text: string, schema: S, path: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BulwarkError('CORRUPT', path, 'not valid JSON (its text is not shown: it may hold credentials)');
  }
  return parseJson(JSON.stringify(raw), schema, path);
}

/** docker's config.json: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/**
 * A config key's registry as references name it: scheme and path dropped, canonical host
 * ("https://index.docker.io/v1/" → "docker.io"); undefined for a key that names no host.
 */
export function keyRegistry(key: string): string | undefined {
  try {
    return canonicalRegistry(key.replace(/^https?:\/\//i, '').split('/')[0]!);
  } catch {
    return undefined;
  }
}

function matchesRegistry(key: string, registry: string): boolean {
  return keyRegistry(key) === canonicalRegistry(registry);
}

function fromConfig(registry: string, path: string): CredentialLookup {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { config: path };
  }
  const config = parseSecretJson(text, DockerConfig, path);
  const helperName = Object.entries(config.credHelpers ?? {}).find(([k]) => matchesRegistry(k, registry))?.[1];
  const helper = helperName ?? config.credsStore;
  const entry = Object.entries(config.auths ?? {}).find(([k]) => matchesRegistry(k, registry));
  const withHelper = { config: path, ...(helper ? { helper: `docker-credential-${helper}` } : {}) };
  if (!entry || helperName) return withHelper;
  const [key, e] = entry;
  const source = `${path} (auths."${key}")`;
  if (e.auth) {
    const plain = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon <= 0) throw new BulwarkError('CORRUPT', source, 'the "auth" value is not base64 of "username:password"');
    return { credentials: { username: plain.slice(0, colon), password: plain.slice(colon + 1) }, source, config: path };
  }
  if (e.username && e.password)
    return { credentials: { username: e.username, password: e.password }, source, config: path };
  if (e.identitytoken) return { ...withHelper, note: `${source} holds an identity token, which Bulwark does not use` };
  return withHelper;
}

const ENV_SOURCE = 'BULWARK_REGISTRY_USERNAME/PASSWORD';

/** The registry the environment's credentials are for; undefined when none are set. */
function envRegistry(env: NodeJS.ProcessEnv): string | undefined {
  const { BULWARK_REGISTRY_USERNAME: username, BULWARK_REGISTRY_PASSWORD: password, BULWARK_REGISTRY: named } = env;
  if (username === undefined && password === undefined) return undefined;
  if (!username || password === undefined) throw new BulwarkError('USAGE', ENV_SOURCE, 'set both, or neither');
  if (!named)
    throw new BulwarkError(
      'USAGE',
      ENV_SOURCE,
      'set BULWARK_REGISTRY=host[:port] to the registry they are for (they are sent to no other)',
    );
  return canonicalRegistry(named.replace(/^https?:\/\//i, '').replace(/\/.*$/, ''), 'BULWARK_REGISTRY');
}

/**
 * Credentials for a registry: BULWARK_REGISTRY_USERNAME/PASSWORD when BULWARK_REGISTRY
 * names this registry, else its entry in docker's config.json.
 */
export function findCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): CredentialLookup {
  const bound = envRegistry(env);
  if (bound !== undefined && bound === canonicalRegistry(registry)) {
    return {
      credentials: { username: env.BULWARK_REGISTRY_USERNAME!, password: env.BULWARK_REGISTRY_PASSWORD! },
      source: `${ENV_SOURCE} (BULWARK_REGISTRY=${bound})`,
    };
  }
  const found = fromConfig(registry, dockerConfigPath(env));
  if (bound === undefined || found.credentials) return found;
  return {
    ...found,
    note: [found.note, `${ENV_SOURCE} are for ${bound} (BULWARK_REGISTRY), not this registry`]
      .filter(Boolean)
      .join('; '),
  };
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses WWW-Authenticate values (RFC 7235: scheme, then comma-separated name=value or
 * name="quoted" params; several challenges may share one header).
 */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const out: Challenge[] = [];
  for (const value of Array.isArray(header) ? header : header ? [header] : []) {
    let i = 0;
    let current: Challenge | undefined;
    const skip = (): void => {
      while (i < value.length && /[\s,]/.test(value[i]!)) i++;
    };
    while (i < value.length) {
      skip();
      const token = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(value.slice(i))?.[0];
      if (!token) break;
      i += token.length;
      while (value[i] === ' ') i++;
      if (value[i] === '=' && current) {
        i++;
        while (value[i] === ' ') i++;
        let v = '';
        if (value[i] === '"') {
          i++;
          while (i < value.length && value[i] !== '"') {
            if (value[i] === '\\' && i + 1 < value.length) i++;
            v += value[i];
            i++;
          }
          i++;
        } else {
          const m = /^[^,\s]*/.exec(value.slice(i))![0];
          v = m;
          i += m.length;
        }
        current.params[token.toLowerCase()] = v;
      } else {
        current = { scheme: token.toLowerCase(), params: {} };
        out.push(current);
      }
    }
  }
  return out;
}

interface TokenResponse {
  status: number;
  body: Buffer;
}

/** GETs a token URL with the given headers (the client supplies its TLS and loopback rules). */
export type TokenFetch = (url: URL, headers: Record<string, string>) => Promise<TokenResponse>;

const TokenBody = z.looseObject({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
});

/** Tokens shorter-lived than this are still used; the spec's default lifetime is 60 s. */
const DEFAULT_TOKEN_SECONDS = 60;
const EARLY_EXPIRY_MS = 5_000;

function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

export class RegistryAuth {
  private basic: string | undefined;
  private readonly tokens = new Map<string, { header: string; expires: number }>();
  private looked: CredentialLookup | undefined;

  constructor(
    private readonly registry: string,
    private readonly fetchToken: TokenFetch,
    private readonly lookup: () => CredentialLookup = () => findCredentials(registry),
    /** Whether a token realm may be sent the credentials: https, or the registry's own loopback origin under --insecure. */
    private readonly realmMayHaveCredentials: (realm: URL) => boolean = (realm) => realm.protocol === 'https:',
  ) {}

  private creds(): CredentialLookup {
    this.looked ??= this.lookup();
    return this.looked;
  }

  /** The Authorization header to send for a request that needs `scope`, when one is known. */
  header(scope: string): string | undefined {
    const t = this.tokens.get(scope);
    if (t && t.expires > Date.now()) return t.header;
    if (t) this.tokens.delete(scope);
    return this.basic;
  }

  /** A refusal with no credentials asks for a login; with credentials, they were refused. */
  refusalCode(): 'AUTH' | 'LOGIN_REQUIRED' {
    return this.creds().credentials ? 'AUTH' : 'LOGIN_REQUIRED';
  }

  /** Why a request is still refused: what was (not) tried, for the one error the user sees. */
  explainRefusal(): string {
    const c = this.creds();
    if (c.credentials) return `the credentials from ${c.source} were refused`;
    return `no credentials were given${this.hint()}`;
  }

  private hint(): string {
    const c = this.creds();
    const helper = c.helper
      ? `; docker's config names the credential helper ${c.helper} for it, which Bulwark does not run (it executes a program)`
      : '';
    const note = c.note ? `; ${c.note}` : '';
    return `${helper}${note}: set BULWARK_REGISTRY_USERNAME and BULWARK_REGISTRY_PASSWORD with BULWARK_REGISTRY=${this.registry}, or run bulwark registry login ${this.registry} (the "auths" of ${c.config ?? dockerConfigPath()})`;
  }

  /** After a 401: obtain what the challenge asks for, or throw AUTH saying why it cannot be had. */
  async answer(wwwAuthenticate: string | string[] | undefined, scope: string, input: string): Promise<void> {
    const challenges = parseChallenges(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) return this.bearer(bearer, scope, input);
    if (challenges.some((c) => c.scheme === 'basic')) {
      const c = this.creds();
      if (!c.credentials)
        throw new BulwarkError(
          'LOGIN_REQUIRED',
          input,
          `${this.registry} requires a login and ${this.explainRefusal()}`,
        );
      if (this.basic)
        throw new BulwarkError('AUTH', input, `${this.registry} refused the credentials from ${c.source}`);
      this.basic = basicHeader(c.credentials);
      return;
    }
    throw new BulwarkError('AUTH', input, `${this.registry} answered 401 with no Basic or Bearer challenge`);
  }

  private async bearer(ch: Challenge, scope: string, input: string): Promise<void> {
    const realm = ch.params.realm;
    if (!realm) throw new BulwarkError('AUTH', input, `${this.registry} sent a Bearer challenge with no realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new BulwarkError('AUTH', input, `${this.registry} sent a Bearer realm that is not a URL: ${realm}`);
    }
    if (ch.params.service) url.searchParams.set('service', ch.params.service);
    const scopes = (ch.params.scope ?? scope).split(' ').filter(Boolean);
    for (const s of scopes) url.searchParams.append('scope', s);
    const c = this.creds();
    const headers: Record<string, string> =
      c.credentials && this.realmMayHaveCredentials(url) ? { Authorization: basicHeader(c.credentials) } : {};
    const res = await this.fetchToken(url, headers);
    const where = `token server ${url.origin}${url.pathname}`;
    if (res.status === 401 || res.status === 403) {
      throw new BulwarkError(
        this.refusalCode(),
        input,
        `${where} refused to issue a token for ${scopes.join(' ')} (HTTP ${res.status}): ${this.explainRefusal()}`,
      );
    }
    if (res.status !== 200) throw new BulwarkError('AUTH', input, `${where} answered HTTP ${res.status}`);
    const body = parseJson(res.body, TokenBody, where);
    const token = body.token ?? body.access_token;
    if (!token) throw new BulwarkError('AUTH', input, `${where} answered with no token`);
    const seconds = body.expires_in && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    this.tokens.set(scope, {
      header: `Bearer ${token}`,
      expires: Date.now() + Math.max(seconds * 1000 - EARLY_EXPIRY_MS, 1000),
    });
  }
}
