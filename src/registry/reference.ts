import { isIP } from 'node:net';
import { BulwarkError } from '../core/errors.js';

// Image references as docker reads them: [registry[:port]/]repository[:tag][@digest].
// A first path component is a registry when it has a '.' or a ':', is "localhost", or
// has upper-case letters; otherwise the image is on Docker Hub, where one-component
// names live under library/.
//
// A parsed reference is canonical, so that one image has one spelling before any policy
// matches it: the registry host lower-cased (DNS names are case-insensitive; IPs in their
// usual form), default ports dropped (:443; :80 on loopback, where plain http is allowed),
// Docker Hub's aliases as docker.io. Repository paths must be lower case and tags keep
// their case, as the distribution spec has them; digests are lower-case hex.

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export interface Reference {
  /** Registry as named in references: "docker.io", "ghcr.io", "127.0.0.1:5000", "[::1]:5000". */
  registry: string;
  /** Repository path within the registry: "library/debian". */
  repository: string;
  tag?: string;
  digest?: string;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const MAX_NAME = 255;

function bad(input: string, reason: string): BulwarkError {
  return new BulwarkError('USAGE', input, `not a valid image reference: ${reason}`);
}

/** True when docker would read the first component of a name as a registry host. */
function isRegistryComponent(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first;
}

/**
 * Whether a bare target (no "registry:" prefix) names an image on an explicit registry
 * host: its first component has a '.' or a ':' or is "localhost" (not docker's upper-case
 * rule, which would send a mistyped local path to the network).
 */
export function hasRegistryHost(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash <= 0) return false;
  const first = name.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

export function parseReference(input: string): Reference {
  let rest = input.trim();
  if (rest === '') throw bad(input, 'empty');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(input, `"${digest}" is not a sha256 or sha512 digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(input, `"${tag}" is not a valid tag`);
  }
  let registry = DOCKER_HUB;
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash !== -1 && isRegistryComponent(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    repository = rest.slice(slash + 1);
    if (!DOMAIN.test(registry)) throw bad(input, `"${registry}" is not a valid registry host`);
    const port = /:([0-9]+)$/.exec(registry)?.[1];
    if (port !== undefined && Number(port) > 65535) throw bad(input, `port ${port} is out of range`);
  }
  registry = canonicalRegistry(registry, input);
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (repository === '' || !repository.split('/').every((c) => PATH_COMPONENT.test(c))) {
    throw bad(
      input,
      `repository "${repository}" must be lower-case components of letters, digits and . _ - separators`,
    );
  }
  if (/^[a-f0-9]{64}$/.test(rest)) throw bad(input, 'a bare 64-hex image id is not a reference');
  if (registry.length + 1 + repository.length > MAX_NAME) throw bad(input, `name longer than ${MAX_NAME} characters`);
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/**
 * A registry host[:port] (already valid) in its one spelling: lower case, IPs as the URL
 * standard writes them ("127.1" → "127.0.0.1", "[0::1]" → "[::1]"), no :443, no :80 on
 * loopback, Docker Hub's aliases as docker.io.
 */
export function canonicalRegistry(hostPort: string, input = hostPort): string {
  let url: URL;
  try {
    url = new URL(`https://${hostPort}`);
  } catch {
    throw bad(input, `"${hostPort}" is not a valid registry host`);
  }
  const host = url.port === '80' && isLoopback(url.hostname) ? url.hostname : url.host;
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/** The repository fully qualified: "docker.io/library/debian". */
export function repositoryName(ref: Reference): string {
  return `${ref.registry}/${ref.repository}`;
}

export function formatReference(ref: Reference): string {
  return `${repositoryName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The host (and port) to connect to for a registry: Docker Hub is served from registry-1.docker.io. */
export function registryEndpoint(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

/** The host part of "host[:port]" or "[v6]:port", without brackets. */
function hostOf(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const colon = hostPort.lastIndexOf(':');
  return colon === -1 || isIP(hostPort) === 6 ? hostPort : hostPort.slice(0, colon);
}

/** Loopback names: "localhost", 127.0.0.0/8 and ::1 (given with or without a port). */
export function isLoopback(hostPort: string): boolean {
  const host = hostOf(hostPort).toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}
