// Signature verification against a loopback registry: Debian's docker-registry (plain
// http on 127.0.0.1), one small image signed by Bulwark, then `verify` timed N times —
// in process (resolve the tag, fetch the .sig manifest and payload, check) with a new
// connection each time, and as the CLI a user runs (node dist/cli/main.js verify).
// Usage: npm run build && node --import tsx bench/verify.ts [iterations]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { signImage } from '../src/assure/sign.js';
import { resolveTarget } from '../src/assure/target.js';
import { verifySignatures } from '../src/assure/verify.js';
import { RegistryClient } from '../src/registry/client.js';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from '../src/signing/keys.js';
import { ociImage } from '../test/support/image-writer.js';
import { gzip, makeTar } from '../test/support/layers.js';
import { startRegistry } from '../test/support/registry.js';

const n = Number(process.argv[2] ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-'));
const reg = await startRegistry({ dir });
const opts = { insecure: true, env: { DOCKER_CONFIG: join(dir, 'none') } };
try {
  const tar = await makeTar([{ name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' }]);
  const image = ociImage([{ tar, stored: gzip(tar) }]);
  const c = await RegistryClient.create(reg.host, opts);
  for (const [, b] of image.blobs) await c.pushBlob('team/app', b);
  await c.putManifest('team/app', '1.0', image.manifest, image.mediaType);
  c.close();
  const pair = generateKeyPair('');
  writeFileSync(join(dir, 'cosign.pub'), pair.publicPem);
  const ref = `${reg.host}/team/app:1.0`;
  const t0 = await resolveTarget(ref, opts);
  await signImage(t0, loadPrivateKey(pair.privatePem, '', 'key'));
  t0.client.close();
  const keys = [{ name: 'cosign.pub', key: loadPublicKey(pair.publicPem, 'cosign.pub') }];

  const lib: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const target = await resolveTarget(ref, opts);
    const v = await verifySignatures(target, keys);
    target.client.close();
    lib.push(performance.now() - t);
    if (v.verified.length !== 1) throw new Error(`verification failed: ${v.failures.join('; ')}`);
  }
  const cli: number[] = [];
  const main = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');
  for (let i = 0; i < Math.min(n, 10); i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [main, 'verify', ref, '--key', join(dir, 'cosign.pub'), '--insecure'], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_CONFIG: join(dir, 'none') },
    });
    cli.push(performance.now() - t);
    if (r.status !== 0) throw new Error(r.stderr);
  }
  const stats = (xs: number[]): string => {
    const s = [...xs].sort((a, b) => a - b);
    return `median ${s[Math.floor(s.length / 2)]!.toFixed(1)} ms, p90 ${s[Math.floor(s.length * 0.9)]!.toFixed(1)} ms, max ${s[s.length - 1]!.toFixed(1)} ms (${s.length} runs)`;
  };
  console.log(`verify in process (resolve + fetch + check, new connection): ${stats(lib)}`);
  console.log(`verify CLI (node dist/cli/main.js verify, incl. Node start-up): ${stats(cli)}`);
} finally {
  await reg.stop();
  rmSync(dir, { recursive: true, force: true });
}
