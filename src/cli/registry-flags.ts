import type { Command } from 'commander';
import type { RegistryOptions } from '../registry/client.js';

// The registry connection flags every registry command takes.

export interface RegistryFlags {
  insecure?: boolean;
  caFile?: string;
}

export function registryFlags(cmd: Command): Command {
  return cmd
    .option('--insecure', 'registry: allow plain http or unverified TLS (loopback registries only)')
    .option('--ca-file <file>', 'registry: PEM file of extra CA certificates (default: $SSL_CERT_FILE)');
}

export function registryOptions(f: RegistryFlags): RegistryOptions {
  return { ...(f.insecure ? { insecure: true } : {}), ...(f.caFile ? { caFile: f.caFile } : {}) };
}
