import { readFileSync } from 'node:fs';
import tarStream from 'tar-stream';
import {
  createContainer,
  inspectContainer,
  putArchive,
  removeContainer as engineRemove,
  startContainer,
} from '../../src/engine/containers.js';
import { have } from './require.js';
import { importRootfs } from './engine.js';

// A tiny image for runtime tests: Debian's static busybox (package busybox-static) and the
// applet links a test needs, imported into the real engine; and containers made from it.

const APPLETS = ['sh', 'sleep', 'cat', 'cp', 'chmod', 'echo', 'true', 'ls', 'mkdir', 'id', 'head', 'wc', 'nc'];

export function haveBusybox(): boolean {
  return have('busybox') && readFileSync('/bin/busybox').subarray(0, 4).toString('latin1') === '\x7fELF';
}

/**
 * `copies`: applets installed as their own file (a program of their own to audit and fanotify),
 * not a link; `extra`: more files of the image (path without the leading "/" → executable
 * content, or content with its mode: 0o4755 for a set-user-id program).
 */
export async function importBusybox(
  repo: string,
  tag: string,
  copies: string[] = [],
  extra: Record<string, Buffer | { content: Buffer; mode: number }> = {},
): Promise<void> {
  const pack = tarStream.pack();
  const bin = readFileSync('/bin/busybox');
  pack.entry({ name: 'bin/busybox', mode: 0o755 }, bin);
  for (const a of APPLETS) {
    if (copies.includes(a)) pack.entry({ name: `bin/${a}`, mode: 0o755 }, bin);
    else pack.entry({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' });
  }
  pack.entry(
    { name: 'etc/passwd', mode: 0o644 },
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n',
  );
  pack.entry({ name: 'etc/shadow', mode: 0o640 }, 'root:*:19000:0:99999:7:::\n');
  pack.entry({ name: 'tmp', type: 'directory', mode: 0o1777 });
  for (const [name, file] of Object.entries(extra)) {
    const { content, mode } = Buffer.isBuffer(file) ? { content: file, mode: 0o755 } : file;
    pack.entry({ name, mode }, content);
  }
  pack.finalize();
  await importRootfs(pack as unknown as NodeJS.ReadableStream, repo, tag);
}

export interface RunOptions {
  name?: string;
  pidsLimit?: number;
  env?: string[];
  /** Restart policy: "always" brings the container back when the engine restarts. */
  restart?: 'always' | 'unless-stopped';
  /** Run the engine's init (tini) as the first process: it reaps orphans, as `docker run --init`. */
  init?: boolean;
  /** tmpfs mounts: container path → mount options ("exec,size=16m"), as `docker run --tmpfs`. */
  tmpfs?: Record<string, string>;
  /** Bind mounts, "host:container[:ro]", as `docker run -v`. */
  binds?: string[];
  /** The user the command runs as, as `docker run --user` ("65534"). */
  user?: string;
  /** A terminal for the first process, as `docker run -t`. */
  tty?: boolean;
  /** `docker run --cap-add`. */
  capAdd?: string[];
  /** `docker run --security-opt` (seccomp=unconfined …). */
  securityOpt?: string[];
  /** Host devices the container may read (`docker run --device PATH:PATH:r`). */
  devices?: string[];
  /** `docker run --pid host`: the host's pid namespace. */
  pidHost?: boolean;
  /** No masked or read-only /proc and /sys paths (/proc/sys writable), as `--security-opt systempaths=unconfined`. */
  unmaskPaths?: boolean;
}

/** Creates and starts a container; returns its id. */
export async function runContainer(image: string, cmd: string[], o: RunOptions = {}): Promise<string> {
  const body = {
    Image: image,
    Cmd: cmd,
    Env: o.env ?? [],
    ...(o.tty ? { Tty: true } : {}),
    ...(o.user ? { User: o.user } : {}),
    HostConfig: {
      NetworkMode: 'none',
      ...(o.pidsLimit ? { PidsLimit: o.pidsLimit } : {}),
      ...(o.restart ? { RestartPolicy: { Name: o.restart } } : {}),
      ...(o.init ? { Init: true } : {}),
      ...(o.tmpfs ? { Tmpfs: o.tmpfs } : {}),
      ...(o.binds ? { Binds: o.binds } : {}),
      ...(o.capAdd ? { CapAdd: o.capAdd } : {}),
      ...(o.securityOpt ? { SecurityOpt: o.securityOpt } : {}),
      ...(o.devices
        ? { Devices: o.devices.map((d) => ({ PathOnHost: d, PathInContainer: d, CgroupPermissions: 'r' })) }
        : {}),
      ...(o.pidHost ? { PidMode: 'host' } : {}),
      ...(o.unmaskPaths ? { MaskedPaths: [], ReadonlyPaths: [] } : {}),
    },
  };
  const id = await createContainer(body, o.name);
  await startContainer(id);
  return id;
}

export async function removeContainer(id: string): Promise<void> {
  await engineRemove(id, { force: true });
}

export async function containerPid(id: string): Promise<number> {
  return (await inspectContainer(id))?.State?.Pid ?? 0;
}

/** Puts one file into a running container (as docker cp does). */
export async function putFile(id: string, dir: string, name: string, content: Buffer, mode = 0o755): Promise<void> {
  const pack = tarStream.pack();
  pack.entry({ name, mode }, content);
  pack.finalize();
  await putArchive(id, dir, pack as unknown as NodeJS.ReadableStream);
}
