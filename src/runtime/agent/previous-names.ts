// What a process ran before its current exec (proc.prev_name): a shell that replaces itself
// with another shell (`sh -c 'id; sh'` execs its last command in place) is one session, not
// two. Keyed by pid and start time (a reused pid starts later); bounded, oldest forgotten.

const MAX_PROCESSES = 8192;

export class PreviousNames {
  private readonly names = new Map<string, string>();

  /** Notes that the process ran `name` now; returns what it ran before, if the agent saw it. */
  swap(pid: number, start: number | undefined, name: string): string | undefined {
    if (start === undefined) return undefined;
    const key = `${pid}/${start}`;
    const before = this.names.get(key);
    this.names.delete(key);
    this.names.set(key, name);
    if (this.names.size > MAX_PROCESSES) this.names.delete(this.names.keys().next().value!);
    return before;
  }
}
