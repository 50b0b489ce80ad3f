// Tests only: Debian's Go toolchain (package golang-go) as a fixture builder and as the oracle,
// `go version -m`. Builds are offline: the fixture module vendors its dependencies.
import { execFile, spawnSync } from 'node:child_process';
import { chmod, cp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GoModule, ModInfo } from './modinfo.js';

export const MODULE_FIXTURE = join(import.meta.dirname, 'fixtures', 'module');

export interface GoTarget { goos: string; goarch: string }

export const TARGETS: GoTarget[] = [
  { goos: 'linux', goarch: 'amd64' }, // ELF64 little-endian
  { goos: 'linux', goarch: '386' }, // ELF32 little-endian
  { goos: 'linux', goarch: 's390x' }, // ELF64 big-endian
  { goos: 'linux', goarch: 'mips' }, // ELF32 big-endian
  { goos: 'windows', goarch: 'amd64' }, // PE32+
  { goos: 'windows', goarch: '386' }, // PE32
  { goos: 'darwin', goarch: 'arm64' }, // Mach-O 64
];

function goEnv(work: string, t: GoTarget): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: work,
    // a build cache kept between runs: the standard library for seven targets takes a while
    GOCACHE: join(tmpdir(), 'bulwark-test-gocache'),
    GOPATH: join(work, 'gopath'),
    GOFLAGS: '-mod=vendor -buildvcs=false',
    GOPROXY: 'off',
    GOTOOLCHAIN: 'local',
    GOENV: 'off',
    CGO_ENABLED: '0',
    GOOS: t.goos,
    GOARCH: t.goarch,
  };
}

/** Builds the fixture module (copied to work/src) for each target; returns the binaries' paths. */
export async function buildFixtureApp(work: string, targets: GoTarget[] = TARGETS): Promise<string[]> {
  const src = join(work, 'src');
  await cp(MODULE_FIXTURE, src, { recursive: true });
  const run = promisify(execFile);
  return Promise.all(
    targets.map(async (t) => {
      const out = join(work, `app-${t.goos}-${t.goarch}`);
      await run('go', ['build', '-o', out, '.'], { cwd: join(src, 'app'), env: goEnv(work, t) });
      return out;
    }),
  );
}

export function goVersionOf(): string {
  return spawnSync('go', ['version'], { encoding: 'utf8' }).stdout.trim();
}

/** `go version -m FILE` parsed: what the go command itself reads from the binary; null when it cannot. */
export function goVersionM(file: string): (ModInfo & { goVersion: string }) | null {
  const r = spawnSync('go', ['version', '-m', file], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } });
  if (r.status !== 0 || !r.stdout.trim()) return null; // it reports unreadable files on stderr, exit status 0
  const [first, ...lines] = r.stdout.split('\n');
  const info: ModInfo & { goVersion: string } = { goVersion: first!.slice(first!.indexOf(': ') + 2), deps: [], settings: {} };
  let last: GoModule | undefined;
  const mod = (cols: string[]): GoModule => ({ path: cols[1]!, version: cols[2]!, ...(cols[3] ? { sum: cols[3] } : {}) });
  for (const line of lines) {
    const cols = line.replace(/^\t/, '').split('\t');
    if (cols[0] === 'path') info.path = cols[1];
    else if (cols[0] === 'mod') last = info.main = mod(cols);
    else if (cols[0] === 'dep') info.deps.push((last = mod(cols)));
    else if (cols[0] === '=>' && last) last.replace = mod(cols);
  }
  return info;
}

/** A copy of an ELF64 little-endian file with its section headers gone, as sstrip leaves one. */
export async function withoutSectionHeaders(file: string, out: string): Promise<string> {
  const b = await readFile(file);
  b.writeBigUInt64LE(0n, 0x28); // e_shoff
  b.writeUInt16LE(0, 0x3a); // e_shentsize
  b.writeUInt16LE(0, 0x3c); // e_shnum
  b.writeUInt16LE(0, 0x3e); // e_shstrndx
  await writeFile(out, b);
  await chmod(out, 0o755);
  return out;
}
