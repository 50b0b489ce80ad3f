import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AuditActivity } from '../audit/interpret.js';
import type { ContainerInfo } from '../containers.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { Emitter } from './emitter.js';
import { containerExecFields } from './fields.js';
import type { Identity } from './pids.js';

// docker exec sessions: the engine says a command started in a container; who asked is the
// docker client that ran on the host just before (from the audit exec records).

const DOCKER_CLIENTS = new Set(['docker', 'docker.io']);
const CLIENT_MEMORY_MS = 10_000;
const MAX_CLIENTS = 100;

interface Client {
  at: number;
  uid?: number;
  auid?: number;
  argv: string[];
}

async function userName(uid: number | undefined): Promise<string | undefined> {
  if (uid === undefined) return undefined;
  try {
    const line = (await readFile('/etc/passwd', 'utf8'))
      .split('\n')
      .find((entry) => entry.split(':')[2] === String(uid));
    return line?.split(':')[0] ?? String(uid);
  } catch {
    return String(uid);
  }
}

export class ExecSessions {
  /** Host processes that ran the docker client recently. */
  private readonly clients: Client[] = [];

  constructor(
    private readonly rules: RuleSet,
    private readonly emitter: Emitter,
    /** Reads the audit records waiting now (the engine can tell of a session before they are read). */
    private readonly catchUp: () => Promise<void> | undefined,
  ) {}

  /**
   * Notes a docker client run on the host: never one in a container (whose word would be
   * anyone's), nor one gone before we could tell where it ran.
   */
  noteActivity(activity: AuditActivity, who: Identity): void {
    if (
      activity.kind !== 'exec' ||
      !activity.exe ||
      !DOCKER_CLIENTS.has(basename(activity.exe)) ||
      !who.live ||
      who.container
    )
      return;
    this.clients.push({
      at: Date.now(),
      uid: activity.uid,
      ...(activity.auid !== undefined ? { auid: activity.auid } : {}),
      argv: activity.argv,
    });
    if (this.clients.length > MAX_CLIENTS) this.clients.shift();
  }

  private clientOf(container: ContainerInfo): Client | undefined {
    const now = Date.now();
    const names = (arg: string): boolean =>
      arg === container.name || (arg.length >= 12 && container.id.startsWith(arg));
    return [...this.clients]
      .reverse()
      .find((x) => now - x.at < CLIENT_MEMORY_MS && x.argv.includes('exec') && x.argv.some(names));
  }

  /** The engine's exec_start: the matching rules' events, with who asked when known. */
  async onSession(container: ContainerInfo, command: string): Promise<void> {
    // read the audit log now, then give it a moment
    let client = this.clientOf(container);
    for (let attempt = 0; !client && attempt < 4; attempt++) {
      await (attempt === 0 ? this.catchUp() : new Promise((resolve) => setTimeout(resolve, 50)));
      client = this.clientOf(container);
    }
    const who = client ? await userName(client.auid ?? client.uid) : undefined;
    const process = client
      ? {
          process: {
            pid: 0,
            args: command.split(' '),
            ...(client.uid !== undefined ? { uid: client.uid } : {}),
            ...(client.auid !== undefined ? { auid: client.auid } : {}),
            ...(who ? { user: who } : {}),
          },
        }
      : {};
    for (const match of this.rules.match(containerExecFields(container, command, client, who)))
      this.emitter.fromMatch(match, container, { ...process, fields: { command } }, 'alert');
  }
}
