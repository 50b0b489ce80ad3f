import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { BulwarkError, messageOf } from '../core/errors.js';
import { decrypt, encrypt } from './encrypted.js';
import { decodePem, encodePem } from './pem.js';

// Cosign key pairs: ECDSA P-256, public key as SPKI PEM, private key as PKCS#8 sealed in
// go-securesystemslib's encrypted JSON inside a PEM block.
//
// The block type: cosign wrote "ENCRYPTED COSIGN PRIVATE KEY" first and still reads it, as
// does skopeo 1.9.3 (containers/image), which knows no other; newer cosign writes
// "ENCRYPTED SIGSTORE PRIVATE KEY". We write the old name and read both.
//
// Only P-256 is accepted: cosign verifies ECDSA keys with SHA-256, which is what
// signature.ts uses, and P-256 is what cosign and skopeo generate.

export const COSIGN_PRIVATE_KEY_PEM = 'ENCRYPTED COSIGN PRIVATE KEY';
export const SIGSTORE_PRIVATE_KEY_PEM = 'ENCRYPTED SIGSTORE PRIVATE KEY';

export interface KeyPairPem {
  privatePem: string;
  publicPem: string;
}

export function generateKeyPair(password: string): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  return {
    privatePem: encodePem(COSIGN_PRIVATE_KEY_PEM, encrypt(pkcs8, password)),
    publicPem: publicKeyPem(publicKey),
  };
}

function requireP256(key: KeyObject, input: string): KeyObject {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    const what =
      key.asymmetricKeyType === 'ec' ? `ECDSA ${curve ?? 'unknown curve'}` : (key.asymmetricKeyType ?? 'unknown');
    throw new BulwarkError('KEY', input, `unsupported key type ${what} (only ECDSA P-256 is supported)`);
  }
  return key;
}

function derKey<T>(make: () => T, input: string, what: string): T {
  try {
    return make();
  } catch (e) {
    throw new BulwarkError('CORRUPT', input, `invalid ${what} (${messageOf(e).split('\n')[0]})`);
  }
}

/**
 * A private key from cosign's encrypted PEM (either block type) or from a plain PKCS#8
 * ("PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY") PEM; the password only matters for the former.
 */
export function loadPrivateKey(pem: string, password: string, input: string): KeyObject {
  const block = decodePem(pem, input);
  let der: Buffer;
  let type: 'pkcs8' | 'sec1';
  switch (block.type) {
    case COSIGN_PRIVATE_KEY_PEM:
    case SIGSTORE_PRIVATE_KEY_PEM:
      der = decrypt(block.bytes, password, input);
      type = 'pkcs8';
      break;
    case 'PRIVATE KEY':
      der = block.bytes;
      type = 'pkcs8';
      break;
    case 'EC PRIVATE KEY':
      der = block.bytes;
      type = 'sec1';
      break;
    default:
      throw new BulwarkError('KEY', input, `PEM block ${block.type} is not a private key`);
  }
  const key = derKey(() => createPrivateKey({ key: der, format: 'der', type }), input, 'private key');
  return requireP256(key, input);
}

/** A public key from an SPKI ("PUBLIC KEY") PEM; private keys are refused. */
export function loadPublicKey(pem: string, input: string): KeyObject {
  const block = decodePem(pem, input);
  if (block.type !== 'PUBLIC KEY') throw new BulwarkError('KEY', input, `PEM block ${block.type} is not a public key`);
  const key = derKey(() => createPublicKey({ key: block.bytes, format: 'der', type: 'spki' }), input, 'public key');
  return requireP256(key, input);
}

/** SPKI PEM of a key (of its public half when given a private key). */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return encodePem('PUBLIC KEY', pub.export({ type: 'spki', format: 'der' }));
}
