import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { messageOf } from '../../core/errors.js';
import type { SecurityEvent } from '../event.js';
import { formatHostPort, type HostPort } from './address.js';
import { truncateUtf8 } from './format.js';
import { DeliveryError, whenAborted, type Transport } from './sink.js';

// Syslog over UDP (RFC 5426): one datagram per message, no framing, no acknowledgement — a
// lost datagram is lost. Messages are cut to maxMessageBytes (the formatter shortens the text
// first; this is the last guard, at a UTF-8 character boundary).

/** Formats one event as a message of at most maxBytes UTF-8 bytes (no terminator). */
export type MessageFormatter = (e: SecurityEvent, maxBytes: number) => string;

export interface UdpOptions extends HostPort {
  format: MessageFormatter;
  /** Largest datagram payload (default 8192: rsyslog's default maximum message size). */
  maxMessageBytes?: number;
}

/** Largest UDP payload over IPv4. */
const MAX_UDP_PAYLOAD = 65_507;

export class UdpTransport implements Transport {
  private socket: Socket | undefined;
  private family: 4 | 6 | undefined;
  private readonly max: number;
  private readonly where: string;

  constructor(private readonly o: UdpOptions) {
    this.max = Math.min(MAX_UDP_PAYLOAD, o.maxMessageBytes ?? 8192);
    this.where = `udp://${formatHostPort(o)}`;
  }

  async send(batch: readonly SecurityEvent[], signal: AbortSignal): Promise<void> {
    const { address, family } = await this.resolve(signal);
    const socket = this.open(family);
    // one abort listener for the whole batch (not one per datagram)
    const aborted = whenAborted(signal);
    aborted.catch(() => undefined);
    for (const e of batch) {
      const payload = Buffer.from(truncateUtf8(this.o.format(e, this.max), this.max), 'utf8');
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          socket.send(payload, this.o.port, address, (err) => (err ? reject(err) : resolve()));
        }),
        aborted,
      ]).catch((err: unknown) => {
        if (err instanceof DeliveryError) throw err;
        // ECONNREFUSED (an ICMP answer to an earlier datagram), EHOSTUNREACH, ENOBUFS: worth a retry
        this.reset();
        throw new DeliveryError('NETWORK', this.where, `send failed: ${messageOf(err)}`, {
          retryable: true,
          cause: err,
        });
      });
    }
  }

  async close(): Promise<void> {
    this.reset();
  }

  private async resolve(signal: AbortSignal): Promise<{ address: string; family: 4 | 6 }> {
    const ip = isIP(this.o.host);
    if (ip === 4 || ip === 6) return { address: this.o.host, family: ip };
    try {
      const r = await Promise.race([lookup(this.o.host), whenAborted(signal)]);
      return { address: r.address, family: r.family === 6 ? 6 : 4 };
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      throw new DeliveryError('NETWORK', this.where, `cannot resolve ${this.o.host}: ${messageOf(err)}`, {
        retryable: true,
        cause: err,
      });
    }
  }

  private open(family: 4 | 6): Socket {
    if (this.socket && this.family === family) return this.socket;
    this.reset();
    const s = createSocket(family === 6 ? 'udp6' : 'udp4');
    s.on('error', () => this.reset());
    s.unref();
    this.socket = s;
    this.family = family;
    return s;
  }

  private reset(): void {
    const s = this.socket;
    this.socket = undefined;
    this.family = undefined;
    if (s) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  }
}
