import { Command, Option } from 'commander';
import { vulnAttestationKeys } from '../assure/attested-scan.js';
import { gatherFacts } from '../assure/facts.js';
import { policyKeys } from '../assure/keys.js';
import { policyCheckOptions } from '../assure/image-scan.js';
import { parsePlatform } from '../image/platform.js';
import { evaluate } from '../policy/evaluate.js';
import { loadPolicy } from '../policy/load.js';
import { defaultCacheDir } from '../core/cache-dir.js';
import { defaultDbPath } from '../vulndb/location.js';
import { EXIT_DENIED } from './exit.js';
import { writeOutput } from './output.js';
import { registryFlags, registryOptions, type RegistryFlags } from './registry-flags.js';
import { renderVerdict } from './verdict.js';

// bulwark policy check: judge an image in a registry by a policy file.

interface CheckFlags extends RegistryFlags {
  policy: string;
  format: 'text' | 'json';
  output?: string;
  scan: boolean;
  db?: string;
  cache: boolean;
  platform?: string;
}

export function policyCommand(): Command {
  const policy = new Command('policy').description(
    'image policies: allowed registries, signatures, attestations, vulnerabilities, tags, base images',
  );
  registryFlags(policy.command('check'))
    .description('evaluate a policy for an image in a registry; exit 1 when it is denied')
    .argument('<image>', 'REGISTRY/REPO[:TAG|@DIGEST]')
    .requiredOption('--policy <file>', 'policy file (YAML, kind ImagePolicy)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the verdict to a file')
    .option('--no-scan', 'never scan: vulnerabilities only from a verified vulnerability attestation')
    .option('--db <path>', 'vulnerability database for a scan (default: $BULWARK_DB or <cache>/db/bulwark.db)')
    .option('--no-cache', 'do not use the layer cache when scanning')
    .option('--platform <os/arch>', 'platform to pick from a multi-platform image (default: this host)')
    .addHelpText(
      'after',
      '\nExample:\n  bulwark policy check registry.example.com/team/app@sha256:… --policy production.yaml',
    )
    .action(async (ref: string, f: CheckFlags) => {
      const p = loadPolicy(f.policy);
      const { facts, notes } = await gatherFacts(ref, {
        ...registryOptions(f),
        keys: policyKeys(p.keys, p.source),
        vulnKeys: vulnAttestationKeys(p),
        scanWhenUnattested:
          f.scan && (p.vulnerabilities !== undefined || p.maxScanAge !== undefined || p.checks !== undefined),
        ...(p.checks ? { checks: policyCheckOptions(p.checks) } : {}),
        scan: { dbPath: f.db ?? defaultDbPath(), cacheDir: f.cache ? defaultCacheDir() : null },
        ...(f.platform ? { platform: parsePlatform(f.platform) } : {}),
      });
      const verdict = evaluate(p, facts);
      await writeOutput(
        f.format === 'json' ? `${JSON.stringify({ ...verdict, notes }, null, 2)}\n` : renderVerdict(verdict, notes),
        f.output,
      );
      if (!verdict.allowed) process.exitCode = EXIT_DENIED;
    });
  return policy;
}
