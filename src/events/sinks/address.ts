import { isIP } from 'node:net';

// "host:port" as syslog sinks are configured: a name, an IPv4 address, or a bracketed IPv6
// address ("[2001:db8::1]:6514").

export interface HostPort {
  host: string;
  port: number;
}

/** Parses "host:port"; undefined when it is not one. */
export function parseHostPort(s: string): HostPort | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})?)):(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  const host = m[1] ?? m[2] ?? '';
  if (m[1] !== undefined && isIP(host) !== 6) return undefined;
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
