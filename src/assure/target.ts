import { BulwarkError } from '../core/errors.js';
import { RegistryClient, type RegistryOptions } from '../registry/client.js';
import { DOCKER_HUB, formatReference, parseReference, repositoryName, type Reference } from '../registry/reference.js';

// An image in a registry, resolved to the digest that signatures and policies are about.

export interface Target {
  client: RegistryClient;
  ref: Reference;
  /** The manifest (or index) digest the reference names or its tag points at now. */
  digest: string;
  /** The reference as given, normalised, for messages. */
  input: string;
}

export async function resolveTarget(reference: string, opts: RegistryOptions = {}): Promise<Target> {
  const ref = parseReference(reference);
  const input = formatReference(ref);
  const client = await RegistryClient.create(ref.registry, opts);
  try {
    const found = await client.headManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest');
    if (!found) throw new BulwarkError('NOT_FOUND', input, 'no such image in the registry');
    if (ref.digest && found.digest !== ref.digest)
      throw new BulwarkError('DIGEST_MISMATCH', input, `the registry answered with ${found.digest}`);
    return { client, ref, digest: ref.digest ?? found.digest, input };
  } catch (e) {
    client.close();
    throw e;
  }
}

/**
 * The identity a signature's payload names (critical.identity.docker-reference): the
 * repository without tag or digest, as sigstore's payload writes it (go-containerregistry's
 * Repository.Name(), so Docker Hub is "index.docker.io/…"); cosign clients and
 * containers/image policies (matchRepository) read it that way.
 */
export function signedIdentity(ref: Reference): string {
  return ref.registry === DOCKER_HUB ? `index.docker.io/${ref.repository}` : repositoryName(ref);
}
