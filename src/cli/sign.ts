import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { BulwarkError, messageOf } from '../core/errors.js';
import { attestImage } from '../assure/attest.js';
import { signImage } from '../assure/sign.js';
import { resolveTarget, type Target } from '../assure/target.js';
import { verifyAttestations } from '../assure/verify-attestation.js';
import { verifySignatures } from '../assure/verify.js';
import { parseReference, repositoryName } from '../registry/reference.js';
import { PREDICATE_CYCLONEDX, PREDICATE_VULN } from '../signing/in-toto.js';
import { EXIT_DENIED } from './exit.js';
import { readPrivateKey, readPublicKeys } from './key-files.js';
import { registryFlags, registryOptions, type RegistryFlags } from './registry-flags.js';

// sign, verify, attest, verify-attestation: cosign's commands over cosign's storage.

interface KeyFlags extends RegistryFlags {
  key: string;
  passwordFile?: string;
}

async function withTarget<T>(ref: string, f: RegistryFlags, fn: (t: Target) => Promise<T>): Promise<T> {
  const target = await resolveTarget(ref, registryOptions(f));
  try {
    return await fn(target);
  } finally {
    target.client.close();
  }
}

function annotationsOf(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const a of list) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new BulwarkError('USAGE', a, 'annotations are KEY=VALUE');
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}

const PREDICATE_TYPES: Record<string, string> = { cyclonedx: PREDICATE_CYCLONEDX, vuln: PREDICATE_VULN };

function predicateTypeOf(t: string): string {
  return (
    PREDICATE_TYPES[t] ??
    (/^[a-z][a-z0-9+.-]*:/i.test(t)
      ? t
      : (() => {
          throw new BulwarkError('USAGE', t, 'predicate type is cyclonedx, vuln or a URI');
        })())
  );
}

/** The predicate: a JSON file, or a scan of the image made now (cyclonedx and vuln). */
async function predicateFor(
  target: Target,
  type: string,
  file: string | undefined,
  f: RegistryFlags & { db?: string; cache: boolean },
): Promise<unknown> {
  if (file) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as unknown;
    } catch (e) {
      throw new BulwarkError(
        e instanceof SyntaxError ? 'CORRUPT' : 'NOT_FOUND',
        file,
        `cannot read the predicate (${messageOf(e)})`,
      );
    }
  }
  if (type !== PREDICATE_CYCLONEDX && type !== PREDICATE_VULN)
    throw new BulwarkError('USAGE', type, 'give --predicate FILE for this predicate type');
  // the scanner loads only here: verify and sign start faster without it
  const [
    { sbomPredicate, scanForAssurance, vulnPredicate },
    { openRegistryImage },
    { defaultCacheDir },
    { defaultDbPath },
  ] = await Promise.all([
    import('../assure/image-scan.js'),
    import('../image/registry.js'),
    import('../core/cache-dir.js'),
    import('../vulndb/location.js'),
  ]);
  const image = await openRegistryImage(`${repositoryName(target.ref)}@${target.digest}`, registryOptions(f));
  try {
    const scan = await scanForAssurance(image, {
      dbPath: f.db ?? defaultDbPath(),
      cacheDir: f.cache ? defaultCacheDir() : null,
    });
    if (type === PREDICATE_CYCLONEDX) return sbomPredicate(scan);
    const vulns = vulnPredicate(scan);
    if (vulns === undefined)
      throw new BulwarkError(
        'NOT_FOUND',
        f.db ?? defaultDbPath(),
        'no vulnerability database: run `bulwark db update` or `bulwark db import PATH`',
      );
    return vulns;
  } finally {
    await image.close();
  }
}

function fail(ref: string, what: string, failures: string[]): void {
  process.stderr.write(`bulwark: ${ref}: ${what} failed: ${failures.join('; ')}\n`);
  process.exitCode = EXIT_DENIED;
}

export function signCommands(): Command[] {
  const sign = registryFlags(new Command('sign'))
    .description('sign an image in a registry (cosign-compatible signature)')
    .argument('<image>', 'REGISTRY/REPO[:TAG|@DIGEST]')
    .requiredOption('--key <file>', 'private key (cosign format)')
    .option('--password-file <file>', 'password for the key (default: $BULWARK_PASSWORD or $COSIGN_PASSWORD)')
    .option('-a, --annotation <k=v...>', "extra claims in the signed payload's optional section")
    .addHelpText('after', '\nExample:\n  bulwark sign registry.example.com/team/app:1.4 --key cosign.key')
    .action(async (ref: string, f: KeyFlags & { annotation?: string[] }) => {
      const key = readPrivateKey(f.key, f.passwordFile);
      const signed = await withTarget(ref, f, (t) => signImage(t, key, annotationsOf(f.annotation)));
      process.stderr.write(
        `Signed ${signed.dockerReference}@${signed.digest}\nSignature stored at ${signed.location}\n`,
      );
    });

  const verify = registryFlags(new Command('verify'))
    .description("verify an image's signatures against public keys; prints the verified payloads as JSON")
    .argument('<image>', 'REGISTRY/REPO[:TAG|@DIGEST]')
    .requiredOption('--key <file...>', 'public key(s); a signature by any of them counts')
    .option(
      '--identity <repository>',
      "repository the signatures must name (default: the image's own; for mirrors, where it was signed)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  bulwark verify registry.example.com/team/app:1.4 --key cosign.pub\n  bulwark verify mirror.example.com/team/app:1.4 --key cosign.pub --identity registry.example.com/team/app',
    )
    .action(async (ref: string, f: RegistryFlags & { key: string[]; identity?: string }) => {
      const keys = readPublicKeys(f.key);
      const identity = f.identity === undefined ? undefined : repositoryName(parseReference(f.identity));
      const v = await withTarget(ref, f, (t) => verifySignatures(t, keys, identity));
      if (v.verified.length === 0) return fail(ref, 'verification', v.failures);
      process.stdout.write(
        `${JSON.stringify(
          v.verified.map((s) => ({
            key: s.key,
            critical: {
              identity: { 'docker-reference': s.dockerReference },
              image: { 'docker-manifest-digest': v.digest },
            },
            optional: s.optional,
          })),
          null,
          2,
        )}\n`,
      );
      process.stderr.write(
        `Verified ${v.verified.length} signature${v.verified.length === 1 ? '' : 's'} of ${v.digest}${v.failures.length ? ` (${v.failures.length} did not verify: ${v.failures.join('; ')})` : ''}\n`,
      );
    });

  const attest = registryFlags(new Command('attest'))
    .description('attach a signed in-toto attestation (DSSE) to an image')
    .argument('<image>', 'REGISTRY/REPO[:TAG|@DIGEST]')
    .requiredOption('--key <file>', 'private key (cosign format)')
    .option('--password-file <file>', 'password for the key')
    .addOption(new Option('--type <type>', 'predicate type: cyclonedx, vuln or a URI').default('cyclonedx'))
    .option('--predicate <file>', 'predicate JSON (default for cyclonedx and vuln: scan the image now)')
    .option('--db <path>', 'vulnerability database for --type vuln')
    .option('--no-cache', 'do not use the layer cache when scanning')
    .addHelpText(
      'after',
      '\nExamples:\n  bulwark attest registry.example.com/team/app:1.4 --key cosign.key --type vuln\n  bulwark attest registry.example.com/team/app:1.4 --key cosign.key --type https://slsa.dev/provenance/v1 --predicate prov.json',
    )
    .action(async (ref: string, f: KeyFlags & { type: string; predicate?: string; db?: string; cache: boolean }) => {
      const key = readPrivateKey(f.key, f.passwordFile);
      const type = predicateTypeOf(f.type);
      const where = await withTarget(ref, f, async (t) =>
        attestImage(t, key, type, await predicateFor(t, type, f.predicate, f)),
      );
      process.stderr.write(`Attestation (${type}) stored at ${where}\n`);
    });

  const verifyAtt = registryFlags(new Command('verify-attestation'))
    .description("verify an image's attestations; prints the verified statements' predicates as JSON")
    .argument('<image>', 'REGISTRY/REPO[:TAG|@DIGEST]')
    .requiredOption('--key <file...>', 'public key(s)')
    .option('--type <type>', 'only this predicate type: cyclonedx, vuln or a URI')
    .action(async (ref: string, f: RegistryFlags & { key: string[]; type?: string }) => {
      const keys = readPublicKeys(f.key);
      const v = await withTarget(ref, f, (t) =>
        verifyAttestations(t, keys, f.type ? predicateTypeOf(f.type) : undefined),
      );
      if (v.verified.length === 0) return fail(ref, 'attestation verification', v.failures);
      process.stdout.write(`${JSON.stringify(v.verified, null, 2)}\n`);
      process.stderr.write(
        `Verified ${v.verified.length} attestation${v.verified.length === 1 ? '' : 's'} of ${v.digest}\n`,
      );
    });
  return [sign, verify, attest, verifyAtt];
}
