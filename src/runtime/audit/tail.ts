import { closeSync, type FSWatcher, fstatSync, openSync, readSync, statSync, watch } from 'node:fs';

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
  /** Wait on inotify while the file is quiet (default true). */
  watch?: boolean;
}

export interface Tail {
  /** Reads what is there now. */
  poll(): Promise<void>;
  /** Reads what is left, then stops. */
  stop(): Promise<void>;
  readonly bytes: number;
  readonly rotations: number;
  /** Reads of the file so far (a quiet file is not read until it changes). */
  readonly polls: number;
  /** Slow polls taken because no inotify event came while the file was quiet. */
  readonly slowPolls: number;
}

const CHUNK = 256 * 1024;
const MAX_PER_POLL = 32 * 1024 * 1024;
const QUIET_POLLS = 4;
const QUIET_FALLBACK_MS = 5000;

/**
 * The file being tailed: where reading stands, and what follows a rotation (a new inode at the
 * path: the old file read to its end, the new one from its start) or a truncation.
 * Synchronous calls: a local file in the page cache answers in microseconds, and a poll
 * through the thread pool costs more than the reading itself, tens of times a second.
 */
class FileCursor {
  private readonly buf = Buffer.alloc(CHUNK);
  private fd: number | undefined;
  private ino = -1;
  private pos = 0;
  private firstOpen = true;
  bytes = 0;
  rotations = 0;
  polls = 0;

  constructor(private readonly opts: TailOptions) {}

  /** Opens what stands at the path now (at its end, for the first open with `fromEnd`). */
  open(): void {
    let f: number;
    try {
      f = openSync(this.opts.path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    this.fd = f;
    const st = fstatSync(f);
    this.ino = st.ino;
    this.pos = this.firstOpen && this.opts.fromEnd ? st.size : 0;
  }

  /** After the first open: whatever stands at the path later is read from its start. */
  started(): void {
    this.firstOpen = false;
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already gone
    }
    this.fd = undefined;
  }

  private readAvailable(): void {
    if (this.fd === undefined) return;
    let total = 0;
    while (total < MAX_PER_POLL) {
      const bytesRead = readSync(this.fd, this.buf, 0, CHUNK, this.pos);
      if (bytesRead === 0) break;
      this.pos += bytesRead;
      total += bytesRead;
      this.bytes += bytesRead;
      this.opts.onData(Buffer.from(this.buf.subarray(0, bytesRead)));
    }
  }

  /** One poll: what was appended, then a rotation or truncation if the path says so. */
  once(): void {
    this.polls++;
    if (this.fd === undefined) this.open();
    this.readAvailable();
    let st;
    try {
      st = statSync(this.opts.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // renamed away; the new file comes later
      throw e;
    }
    if (this.fd !== undefined && st.ino !== this.ino) {
      this.readAvailable();
      this.close();
      this.rotations++;
      this.open();
      this.readAvailable();
    } else if (this.fd !== undefined && st.size < this.pos) {
      this.pos = 0;
      this.readAvailable();
    }
  }
}

export async function tailFile(opts: TailOptions): Promise<Tail> {
  const interval = opts.intervalMs ?? 25;
  const file = new FileCursor(opts);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let slowPolls = 0;

  function poll(): Promise<void> {
    running = running
      .then(() => file.once())
      .catch((e: unknown) => opts.onError(e instanceof Error ? e : new Error(String(e))));
    return running;
  }

  // Every wake-up of the process costs (a few hundred µs on a virtual machine), so a quiet
  // file is not polled: after QUIET_POLLS empty polls the tail waits on inotify (fs.watch)
  // for the next write, with a slow poll behind it in case an event never comes. Under load
  // it polls every `interval`, taking whatever has piled up in one read.
  let quiet = 0;
  let watcher: FSWatcher | undefined;
  let lastBytes = 0;

  function afterPoll(): void {
    if (stopped) return;
    quiet = file.bytes === lastBytes ? quiet + 1 : 0;
    lastBytes = file.bytes;
    if (quiet < QUIET_POLLS || opts.watch === false) {
      timer = setTimeout(() => void poll().then(afterPoll), interval);
      return;
    }
    try {
      watcher = watch(opts.path, { persistent: false }, () => wake(false));
      watcher.on('error', () => wake(false));
    } catch {
      watcher = undefined; // no inotify here: keep polling
      timer = setTimeout(() => void poll().then(afterPoll), interval);
      return;
    }
    timer = setTimeout(() => wake(true), QUIET_FALLBACK_MS);
    // a write between the last poll and the watch sends no event: look once more
    void poll().then(() => {
      if (file.bytes !== lastBytes) wake(false);
    });
  }

  /** `fallback`: the slow poll, not a write; an empty one goes straight back to waiting. */
  function wake(fallback: boolean): void {
    if (!watcher || stopped) return;
    watcher.close();
    watcher = undefined;
    clearTimeout(timer);
    if (fallback) slowPolls++;
    quiet = fallback ? QUIET_POLLS - 1 : 0;
    void poll().then(afterPoll);
  }

  file.open();
  file.started();
  timer = setTimeout(() => void poll().then(afterPoll), interval);

  return {
    poll,
    async stop() {
      if (stopped) return running;
      stopped = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
      await poll();
      file.close();
    },
    get bytes() {
      return file.bytes;
    },
    get rotations() {
      return file.rotations;
    },
    get polls() {
      return file.polls;
    },
    get slowPolls() {
      return slowPolls;
    },
  };
}
