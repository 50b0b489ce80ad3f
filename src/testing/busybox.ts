import { readFileSync } from 'node:fs';
import tarStream from 'tar-stream';
import { engineRequest, readBody } from '../image/engine.js';
import { have } from './require.js';
import { importRootfs } from './engine.js';

// A tiny image for runtime tests: Debian's static busybox (package busybox-static) and the
// applet links a test needs, imported into the real engine; and containers made from it.

const APPLETS = ['sh', 'sleep', 'cat', 'cp', 'chmod', 'echo', 'true', 'ls', 'mkdir', 'id', 'head', 'wc', 'nc'];

export function haveBusybox(): boolean {
  return have('busybox') && readFileSync('/bin/busybox').subarray(0, 4).toString('latin1') === '\x7fELF';
}

/** `copies`: applets installed as their own file (a program of their own to audit and fanotify), not a link. */
export async function importBusybox(repo: string, tag: string, copies: string[] = []): Promise<void> {
  const pack = tarStream.pack();
  const bin = readFileSync('/bin/busybox');
  pack.entry({ name: 'bin/busybox', mode: 0o755 }, bin);
  for (const a of APPLETS) {
    if (copies.includes(a)) pack.entry({ name: `bin/${a}`, mode: 0o755 }, bin);
    else pack.entry({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' });
  }
  pack.entry({ name: 'etc/passwd', mode: 0o644 }, 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n');
  pack.entry({ name: 'etc/shadow', mode: 0o640 }, 'root:*:19000:0:99999:7:::\n');
  pack.entry({ name: 'tmp', type: 'directory', mode: 0o1777 });
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
}

/** Creates and starts a container; returns its id. */
export async function runContainer(image: string, cmd: string[], o: RunOptions = {}): Promise<string> {
  const body = { Image: image, Cmd: cmd, Env: o.env ?? [], HostConfig: { NetworkMode: 'none', ...(o.pidsLimit ? { PidsLimit: o.pidsLimit } : {}), ...(o.restart ? { RestartPolicy: { Name: o.restart } } : {}), ...(o.init ? { Init: true } : {}) } };
  const q = o.name ? `?name=${encodeURIComponent(o.name)}` : '';
  const c = await engineRequest('POST', `/containers/create${q}`, Buffer.from(JSON.stringify(body)), { 'Content-Type': 'application/json' });
  const created = JSON.parse((await readBody(c.body)).toString()) as { Id?: string; message?: string };
  if (!created.Id) throw new Error(`create failed: ${created.message}`);
  const s = await engineRequest('POST', `/containers/${created.Id}/start`);
  await readBody(s.body);
  if (s.status >= 300) throw new Error(`start failed: HTTP ${s.status}`);
  return created.Id;
}

export async function removeContainer(id: string): Promise<void> {
  await readBody((await engineRequest('DELETE', `/containers/${id}?force=1`)).body);
}

export async function containerPid(id: string): Promise<number> {
  const r = await engineRequest('GET', `/containers/${id}/json`);
  return (JSON.parse((await readBody(r.body)).toString()) as { State: { Pid: number } }).State.Pid;
}

/** Runs a command in a running container through the engine (as docker exec does); its output and exit code. */
export async function execInContainer(id: string, cmd: string[]): Promise<{ output: string; exitCode: number }> {
  const c = await engineRequest('POST', `/containers/${id}/exec`, Buffer.from(JSON.stringify({ Cmd: cmd, AttachStdout: true, AttachStderr: true })), { 'Content-Type': 'application/json' });
  const { Id } = JSON.parse((await readBody(c.body)).toString()) as { Id: string };
  const s = await engineRequest('POST', `/exec/${Id}/start`, Buffer.from(JSON.stringify({ Detach: false, Tty: false })), { 'Content-Type': 'application/json' });
  const raw = await readBody(s.body);
  // the multiplexed stream: [stream, 0, 0, 0, size(4, big-endian)] then size bytes
  let output = '';
  for (let i = 0; i + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(i + 4);
    output += raw.subarray(i + 8, i + 8 + size).toString();
    i += 8 + size;
  }
  const inspect = await engineRequest('GET', `/exec/${Id}/json`);
  const { ExitCode } = JSON.parse((await readBody(inspect.body)).toString()) as { ExitCode: number | null };
  return { output, exitCode: ExitCode ?? -1 };
}

/** Puts one file into a running container (as docker cp does). */
export async function putFile(id: string, dir: string, name: string, content: Buffer, mode = 0o755): Promise<void> {
  const pack = tarStream.pack();
  pack.entry({ name, mode }, content);
  pack.finalize();
  const r = await engineRequest('PUT', `/containers/${id}/archive?path=${encodeURIComponent(dir)}`, pack as unknown as { pipe(d: NodeJS.WritableStream): unknown }, { 'Content-Type': 'application/x-tar' });
  await readBody(r.body);
  if (r.status !== 200) throw new Error(`put ${dir}/${name}: HTTP ${r.status}`);
}
