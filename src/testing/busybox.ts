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

export async function importBusybox(repo: string, tag: string): Promise<void> {
  const pack = tarStream.pack();
  pack.entry({ name: 'bin/busybox', mode: 0o755 }, readFileSync('/bin/busybox'));
  for (const a of APPLETS) pack.entry({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' });
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
}

/** Creates and starts a container; returns its id. */
export async function runContainer(image: string, cmd: string[], o: RunOptions = {}): Promise<string> {
  const body = { Image: image, Cmd: cmd, Env: o.env ?? [], HostConfig: { NetworkMode: 'none', ...(o.pidsLimit ? { PidsLimit: o.pidsLimit } : {}) } };
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
