import { randomBytes } from 'node:crypto';
import { createConnection, type Socket } from 'node:net';
import { BulwarkError } from '../../core/errors.js';
import { auditctl } from './control.js';
import { LineSplitter } from './records.js';
import { type Tail, tailFile } from './tail.js';

// Audit records as lines, from an audit daemon's af_unix socket or its log, and proof that
// they flow: a marker sent with `auditctl -m bulwark-sync-<nonce>` must come back through
// the reader before the source says it is running.

const MARKER = 'bulwark-sync-';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ReaderOptions {
  /** Every line as read, sync markers included (for forwarding or capture). */
  onLine?(line: string): void;
  /** Every record line (sync markers are the reader's own). */
  onRecord(line: string): void;
  /** Trouble while reading (not called once stopping). */
  onError(e: Error): void;
  /** How often a log is read for new records. */
  logPollMs?: number;
  ctl: string;
}

export class RecordReader {
  private readonly markers = new Set<string>();
  private splitter: LineSplitter;
  private socket?: Socket;
  private socketClosed: Promise<void> = Promise.resolve();
  private tail?: Tail;
  stopping = false;

  constructor(private readonly o: ReaderOptions) {
    this.splitter = this.newSplitter();
  }

  private newSplitter(): LineSplitter {
    return new LineSplitter((line) => {
      this.o.onLine?.(line);
      const at = line.indexOf(MARKER);
      if (at >= 0 && line.includes('type=USER')) {
        this.markers.add(line.slice(at, at + MARKER.length + 16));
        return;
      }
      this.o.onRecord(line);
    });
  }

  /** Lines too long to be records, dropped. */
  get overlong(): number {
    return this.splitter.overlong;
  }

  /** Starts over with an empty line buffer (a new daemon, a new source). */
  reset(): void {
    this.splitter = this.newSplitter();
  }

  async readSocket(path: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const socket = createConnection(path);
      const fail = (e: Error): void =>
        reject(new BulwarkError('IO', path, `cannot connect to the audit socket: ${e.message}`, { cause: e }));
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        this.socket = socket;
        this.socketClosed = new Promise((closed) => socket.once('close', () => closed()));
        socket.on('data', (chunk: Buffer) => this.splitter.push(chunk));
        socket.on('error', (e) => {
          if (!this.stopping) this.o.onError(new BulwarkError('IO', path, `audit socket: ${e.message}`, { cause: e }));
        });
        socket.on('end', () => {
          if (!this.stopping) this.o.onError(new BulwarkError('IO', path, 'the audit daemon closed its socket'));
        });
        resolve();
      });
    });
  }

  /** `drain`: the daemon has exited, so its socket ends after the last records: read them first. */
  async closeSocket(drain: boolean): Promise<void> {
    if (!this.socket) return;
    const socket = this.socket;
    this.socket = undefined;
    if (drain) await Promise.race([this.socketClosed, sleep(2000)]);
    socket.destroy();
  }

  async readLog(path: string, fromEnd: boolean): Promise<void> {
    this.tail = await tailFile({
      path,
      fromEnd,
      onData: (chunk) => this.splitter.push(chunk),
      onError: (e) => this.o.onError(e),
      ...(this.o.logPollMs ? { intervalMs: this.o.logPollMs } : {}),
    });
  }

  async stopLog(): Promise<void> {
    await this.tail?.stop();
    this.tail = undefined;
  }

  /** Reads what the log holds now (no-op for a socket). */
  async catchUp(): Promise<void> {
    await this.tail?.poll();
  }

  /** Resolves once a marker sent now comes back through this reader. */
  async sync(what: string, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const marker = `${MARKER}${randomBytes(8).toString('hex')}`;
      const sent = await auditctl(['-m', marker], this.o.ctl);
      if (sent.code !== 0) throw new BulwarkError('IO', 'auditctl -m', (sent.stderr || sent.stdout).trim());
      const until = Math.min(end, Date.now() + 500);
      while (Date.now() < until) {
        if (this.markers.has(marker)) return;
        await sleep(10);
      }
    }
    throw new BulwarkError('IO', what, `no audit records arrived within ${timeoutMs} ms`);
  }

  /** The last partial line, then nothing more. */
  end(): void {
    this.splitter.end();
  }
}
