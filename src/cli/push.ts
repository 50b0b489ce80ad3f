import { Command } from 'commander';
import { pushWithGate } from '../assure/push.js';
import { parseSeverity } from '../match/gate.js';
import { openImage } from '../image/open.js';
import { parsePlatform } from '../image/platform.js';
import { loadPolicy } from '../policy/load.js';
import { defaultCacheDir } from '../core/cache-dir.js';
import { defaultDbPath } from '../vulndb/location.js';
import { EXIT_DENIED } from './exit.js';
import { readPrivateKey } from './key-files.js';
import { terminalProgress } from './progress.js';
import { registryFlags, registryOptions, type RegistryFlags } from './registry-flags.js';
import { renderVerdict } from './verdict.js';

// bulwark push: scan before push; push only what passes, then sign and attest it.

interface PushFlags extends RegistryFlags {
  policy?: string;
  failOn?: string;
  unknownAs: string;
  key?: string;
  passwordFile?: string;
  db?: string;
  cache: boolean;
  platform?: string;
  quiet?: boolean;
}

export function pushCommand(): Command {
  return registryFlags(new Command('push'))
    .description(
      'scan an image, judge it by a policy, and push it only when it passes; with --key, sign it and attach SBOM and vulnerability attestations',
    )
    .argument('<source>', 'image to push: docker save archive, OCI layout, docker:NAME or a registry reference')
    .argument('<destination>', 'REGISTRY/REPO[:TAG]')
    .option('--policy <file>', 'policy file (YAML, kind ImagePolicy) the image must pass')
    .option(
      '--fail-on <severity>',
      'refuse when a vulnerability at or above this severity is open (LOW, MEDIUM, HIGH, CRITICAL)',
    )
    .option(
      '--unknown-as <severity>',
      'the severity unrated vulnerabilities count as for --fail-on (UNKNOWN ranks lowest)',
      'UNKNOWN',
    )
    .option('--key <file>', 'sign and attest with this private key (cosign format) after the push')
    .option('--password-file <file>', 'password for the key (default: $BULWARK_PASSWORD or $COSIGN_PASSWORD)')
    .option('--db <path>', 'vulnerability database (default: $BULWARK_DB or <cache>/db/bulwark.db)')
    .option('--no-cache', 'do not use the layer cache when scanning')
    .option('--platform <os/arch>', 'platform to pick from a multi-platform source')
    .option('-q, --quiet', 'no progress display')
    .addHelpText(
      'after',
      '\nExample:\n  bulwark push app.tar registry.example.com/team/app:1.4 --policy production.yaml --key cosign.key',
    )
    .action(async (source: string, dest: string, f: PushFlags) => {
      const policy = f.policy ? loadPolicy(f.policy) : undefined;
      const failOn = f.failOn ? parseSeverity(f.failOn) : undefined;
      const unknownAs = parseSeverity(f.unknownAs);
      const key = f.key ? readPrivateKey(f.key, f.passwordFile) : undefined;
      const image = await openImage(source, {
        ...registryOptions(f),
        ...(f.platform ? { platform: parsePlatform(f.platform) } : {}),
      });
      try {
        const out = await pushWithGate(image, dest, {
          registry: registryOptions(f),
          scan: {
            dbPath: f.db ?? defaultDbPath(),
            cacheDir: f.cache ? defaultCacheDir() : null,
            ...(f.quiet ? {} : { progress: terminalProgress(true) }),
          },
          ...(policy ? { policy } : {}),
          ...(failOn ? { failOn, unknownAs } : {}),
          ...(key ? { key } : {}),
        });
        if (out.verdict) process.stderr.write(renderVerdict(out.verdict));
        if (!out.pushed) {
          process.stderr.write(`bulwark: ${dest}: push refused, nothing was sent: ${out.refusals.join('; ')}\n`);
          process.exitCode = EXIT_DENIED;
          return;
        }
        process.stdout.write(`${out.destination}@${out.digest}\n`);
        if (out.signed) process.stderr.write(`Signed; signature at ${out.signed.location}\n`);
        for (const a of out.attestations) process.stderr.write(`Attested; attestation at ${a}\n`);
      } finally {
        await image.close();
      }
    });
}
