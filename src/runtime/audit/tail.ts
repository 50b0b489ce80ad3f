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
  let polls = 0;
  let slowPolls = 0;

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
    polls++;
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

  // Every wake-up of the process costs (a few hundred µs on a virtual machine), so a quiet
  // file is not polled: after QUIET_POLLS empty polls the tail waits on inotify (fs.watch)
  // for the next write, with a slow poll behind it in case an event never comes. Under load
  // it polls every `interval`, taking whatever has piled up in one read.
  let quiet = 0;
  let watcher: FSWatcher | undefined;
  let lastBytes = 0;

  function afterPoll(): void {
    if (stopped) return;
    quiet = bytes === lastBytes ? quiet + 1 : 0;
    lastBytes = bytes;
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
      if (bytes !== lastBytes) wake(false);
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

  openCurrent();
  firstOpen = false; // a file that appears (or replaces this one) later is read from its start
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
      closeCurrent();
    },
    get bytes() {
      return bytes;
    },
    get rotations() {
      return rotations;
    },
    get polls() {
      return polls;
    },
    get slowPolls() {
      return slowPolls;
    },
  };
}
