import { arch } from 'node:os';
import { BulwarkError } from '../core/errors.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const NODE_TO_OCI_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  s390x: 's390x',
  ppc64: 'ppc64le',
  riscv64: 'riscv64',
};

export function hostPlatform(): Platform {
  return { os: 'linux', architecture: NODE_TO_OCI_ARCH[arch()] ?? arch() };
}

export function parsePlatform(s: string): Platform {
  const [os, architecture, variant, ...rest] = s.split('/');
  if (!os || !architecture || rest.length > 0)
    throw new BulwarkError('USAGE', s, 'platform must be os/arch[/variant], e.g. linux/arm64');
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** An unset variant on either side matches any (arm64 images rarely say "v8"). */
export function platformMatches(want: Platform, have: Partial<Platform>): boolean {
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  return !want.variant || !have.variant || want.variant === have.variant;
}
