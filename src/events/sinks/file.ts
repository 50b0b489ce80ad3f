import { open, stat, type FileHandle } from 'node:fs/promises';
import { messageOf } from '../../core/errors.js';
import type { SecurityEvent } from '../event.js';
import { toJsonLine } from './format.js';
import { DeliveryError, whenAborted, type Transport } from './sink.js';

// JSON lines, appended to a file (created 0600: events name users, files and command lines) or
// written to standard output for a container's log collector. Each batch is one append of
// whole lines; the file is reopened when rotation moves it away (checked at most once a second).

export interface FileOptions {
  /** The file; undefined or "-" for standard output. */
  path?: string;
  /** How often to check whether rotation moved the file away (default 1000 ms; 0: before every write). */
  reopenCheckMs?: number;
}

export class FileTransport implements Transport {
  private handle: FileHandle | undefined;
  private checkedAt = 0;
  private readonly where: string;

  constructor(private readonly o: FileOptions) {
    this.where = this.toStdout() ? 'stdout' : (o.path ?? 'stdout');
  }

  async send(batch: readonly SecurityEvent[], signal: AbortSignal): Promise<void> {
    const data = Buffer.from(batch.map((e) => `${toJsonLine(e)}\n`).join(''), 'utf8');
    try {
      if (this.toStdout()) {
        await Promise.race([
          new Promise<void>((resolve, reject) => process.stdout.write(data, (err) => (err ? reject(err) : resolve()))),
          whenAborted(signal),
        ]);
        return;
      }
      const h = await this.file(this.o.path as string);
      await h.appendFile(data);
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      const h = this.handle;
      this.handle = undefined;
      await h?.close().catch(() => undefined);
      throw new DeliveryError('IO', this.where, `cannot write: ${messageOf(err)}`, { retryable: true, cause: err });
    }
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }

  /** The open file, reopened when the path now names another file (moved away by logrotate, deleted). */
  private async file(path: string): Promise<FileHandle> {
    // two stats per write cost more than the write itself at hundreds of events per second
    if (this.handle && Date.now() - this.checkedAt < (this.o.reopenCheckMs ?? 1000)) return this.handle;
    this.checkedAt = Date.now();
    if (this.handle) {
      const [now, open_] = await Promise.all([stat(path).catch(() => undefined), this.handle.stat()]);
      if (now && now.ino === open_.ino && now.dev === open_.dev) return this.handle;
      const old = this.handle;
      this.handle = undefined;
      await old.close().catch(() => undefined);
    }
    this.handle = await open(path, 'a', 0o600);
    return this.handle;
  }

  private toStdout(): boolean {
    return this.o.path === undefined || this.o.path === '-';
  }
}
