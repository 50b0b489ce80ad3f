import { BulwarkError } from '../../core/errors.js';

/** `127.0.0.1:8443`, `[::1]:8443`, `localhost:0` → host and port. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port > 65535)
    throw new BulwarkError('USAGE', text, '--listen is HOST:PORT, e.g. 127.0.0.1:8443 or [::1]:8443');
  return { host: (m[1] ?? m[2])!, port };
}
