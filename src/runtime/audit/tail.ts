import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

// Follows a log file the way `tail -F` does: new bytes as they are written, across auditd's
// rotation (the file renamed and a new one created: the rest of the old one is read first)
// and truncation. Polls; every read is bounded.

export interface TailOptions {
  path: string;
  /** Start at the current end (only new lines) rather than at the beginning. */
  fromEnd: boolean;
  onData: (chunk: Buffer) => void;
  onError: (err: Error) => void;
  intervalMs?: number;
}

export interface Tail {
  /** Reads what is there now. */
  poll(): Promise<void>;
  /** Reads what is left, then stops. */
  stop(): Promise<void>;
  readonly bytes: number;
  readonly rotations: number;
}

const CHUNK = 256 * 1024;
const MAX_PER_POLL = 32 * 1024 * 1024;

export async function tailFile(opts: TailOptions): Promise<Tail> {
  const interval = opts.intervalMs ?? 25;
  const buf = Buffer.alloc(CHUNK);
  let fd: number | undefined;
  let ino = -1;
  let pos = 0;
  let bytes = 0;
  let rotations = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let firstOpen = true;

  // Synchronous calls: a local file in the page cache answers in microseconds, and a poll
  // through the thread pool costs more than the reading itself, tens of times a second.
  function openCurrent(): void {
    let f: number;
    try {
      f = openSync(opts.path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    fd = f;
    const st = fstatSync(f);
    ino = st.ino;
    pos = firstOpen && opts.fromEnd ? st.size : 0;
  }

  function closeCurrent(): void {
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // already gone
    }
    fd = undefined;
  }

  function readAvailable(): void {
    if (fd === undefined) return;
    let total = 0;
    while (total < MAX_PER_POLL) {
      const bytesRead = readSync(fd, buf, 0, CHUNK, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      total += bytesRead;
      bytes += bytesRead;
      opts.onData(Buffer.from(buf.subarray(0, bytesRead)));
    }
  }

  async function once(): Promise<void> {
    if (fd === undefined) openCurrent();
    readAvailable();
    let st;
    try {
      st = statSync(opts.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // renamed away; the new file comes later
      throw e;
    }
    if (fd !== undefined && st.ino !== ino) {
      readAvailable();
      closeCurrent();
      rotations++;
      openCurrent();
      readAvailable();
    } else if (fd !== undefined && st.size < pos) {
      pos = 0;
      readAvailable();
    }
  }

  function poll(): Promise<void> {
    running = running.then(once).catch((e: unknown) => opts.onError(e instanceof Error ? e : new Error(String(e))));
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void poll().then(schedule);
    }, interval);
  }

  openCurrent();
  firstOpen = false; // a file that appears (or replaces this one) later is read from its start
  schedule();

  return {
    poll,
    async stop() {
      if (stopped) return running;
      stopped = true;
      if (timer) clearTimeout(timer);
      await poll();
      closeCurrent();
    },
    get bytes() {
      return bytes;
    },
    get rotations() {
      return rotations;
    },
  };
}
