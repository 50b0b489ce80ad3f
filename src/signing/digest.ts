// Manifest digests as OCI registers them (sha256, sha512), lowercase hex, which is what
// cosign and containers/image put in payloads and in-toto subjects.
export const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}
