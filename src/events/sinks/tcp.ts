import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { messageOf } from '../../core/errors.js';
import type { SecurityEvent } from '../event.js';
import { formatHostPort, type HostPort } from './address.js';
import { truncateUtf8 } from './format.js';
import { DeliveryError, whenAborted, type Transport } from './sink.js';
import type { MessageFormatter } from './udp.js';

// Syslog over TCP (RFC 6587) and over TLS (RFC 5425, same framing): octet counting,
// `MSG-LEN SP SYSLOG-MSG`, so a message may hold any byte, newlines included. One connection
// is kept open and reopened when it breaks; the queue's backoff spaces the reconnects. TCP
// has no application-level acknowledgement: a batch written into a connection the receiver
// has just dropped can be lost, and a retried batch can arrive twice.

interface TlsOptions {
  /** PEM CA certificates to trust instead of Node's bundled roots. */
  ca?: Buffer;
  /** Name to check the certificate against (and send as SNI); default the host when it is a name. */
  servername?: string;
  /** Client certificate and key (PEM), for receivers that authenticate senders. */
  cert?: Buffer;
  key?: Buffer;
}

export interface StreamOptions extends HostPort {
  format: MessageFormatter;
  /** Largest message (default 8192, rsyslog's default maximum message size). */
  maxMessageBytes?: number;
  /** Present: TLS. */
  tls?: TlsOptions;
  /** Connect (and TLS handshake) timeout (default 10 s). */
  connectTimeoutMs?: number;
}

/** A certificate the receiver presented that we do not trust: retrying will not help. */
export function isCertificateError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID/.test(code);
}

/** RFC 6587 octet-counting frame. */
export function octetFrame(msg: string): Buffer {
  const body = Buffer.from(msg, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

export class StreamTransport implements Transport {
  private socket: Socket | undefined;
  private readonly max: number;
  private readonly where: string;

  constructor(private readonly o: StreamOptions) {
    this.max = o.maxMessageBytes ?? 8192;
    this.where = `${o.tls ? 'tls' : 'tcp'}://${formatHostPort(o)}`;
  }

  async send(batch: readonly SecurityEvent[], signal: AbortSignal): Promise<void> {
    const data = Buffer.concat(batch.map((e) => octetFrame(truncateUtf8(this.o.format(e, this.max), this.max))));
    const socket = this.socket ?? (await this.connect(signal));
    try {
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          const onClose = (): void => reject(new Error('connection closed'));
          socket.once('close', onClose);
          socket.write(data, (err) => {
            socket.off('close', onClose);
            if (err) reject(err);
            else resolve();
          });
        }),
        whenAborted(signal),
      ]);
    } catch (err) {
      this.drop(socket);
      if (err instanceof DeliveryError) throw err;
      throw new DeliveryError('NETWORK', this.where, `write failed: ${messageOf(err)}`, {
        retryable: true,
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (!s || s.destroyed) return;
    // a polite end (lets written data go out), then a hard stop if the peer does not close
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        s.destroy();
        resolve();
      }, 1000);
      s.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      s.end();
    });
  }

  private connect(signal: AbortSignal): Promise<Socket> {
    const { host, port, tls } = this.o;
    const timeoutMs = this.o.connectTimeoutMs ?? 10_000;
    return new Promise<Socket>((resolve, reject) => {
      const servername = tls?.servername ?? (isIP(host) ? undefined : host);
      const s: Socket = tls
        ? tlsConnect({
            host,
            port,
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            servername,
            rejectUnauthorized: true,
            minVersion: 'TLSv1.2',
          })
        : netConnect({ host, port });
      const fail = (err: unknown): void => {
        cleanup();
        s.destroy();
        reject(
          err instanceof DeliveryError
            ? err
            : new DeliveryError('NETWORK', this.where, `cannot connect: ${messageOf(err)}`, {
                retryable: !isCertificateError(err),
                cause: err,
              }),
        );
      };
      const onTimeout = (): void => fail(new Error(`no connection within ${timeoutMs} ms`));
      const onAbort = (): void => fail(signal.reason);
      const onError = (err: Error): void => fail(err);
      const onClose = (): void => fail(new Error('connection closed'));
      const timer = setTimeout(onTimeout, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        s.off('error', onError);
        s.off('close', onClose);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      s.on('error', onError);
      s.on('close', onClose);
      s.once(tls ? 'secureConnect' : 'connect', () => {
        cleanup();
        s.setKeepAlive(true, 30_000);
        s.setNoDelay(true);
        // from now on: any error, end or close means reconnect on the next send
        s.on('error', () => this.drop(s));
        s.on('end', () => this.drop(s));
        s.on('close', () => this.drop(s));
        // the receiver sends nothing under RFC 6587; read and discard anything it does
        s.on('data', () => undefined);
        this.socket = s;
        resolve(s);
      });
    });
  }

  private drop(s: Socket): void {
    if (this.socket === s) this.socket = undefined;
    s.destroy();
  }
}
