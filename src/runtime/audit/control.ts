import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BulwarkError } from '../../core/errors.js';

// auditctl: the kernel audit status and settings. Every call is bounded in time and output.

export interface AuditctlResult {
  code: number;
  stdout: string;
  stderr: string;
}

const TIMEOUT_MS = 10_000;
const MAX_OUTPUT = 4 * 1024 * 1024;

/** Runs `auditctl args…`; resolves with its exit code and output (rejects only if it cannot run). */
export function auditctl(args: readonly string[], bin = 'auditctl'): Promise<AuditctlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      [...args],
      { timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new BulwarkError('IO', bin, `cannot run ${bin} ${args.join(' ')}: ${err.message}`, { cause: err }));
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * Runs many rules (each one `auditctl args…`) in as few auditctl runs as it can: a rules file
 * read with -R, since a container's watches are dozens of rules and every run is a process
 * spawned from the agent. auditctl stops at the first line the kernel refuses and names it:
 * the lines after it go again in the next run. Per rule: added (true) or refused.
 */
export async function auditctlBatch(rules: readonly (readonly string[])[], bin = 'auditctl'): Promise<boolean[]> {
  if (rules.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-auditctl-'));
  try {
    const ok: boolean[] = [];
    while (ok.length < rules.length) {
      const rest = rules.slice(ok.length);
      // a rules file splits lines on blanks: an argument with one must go by itself
      if (rest.some((r) => r.some((a) => a === '' || /\s/.test(a)))) return [...ok, ...(await oneByOne(rest, bin))];
      const file = join(dir, 'rules');
      await writeFile(file, `${rest.map((r) => r.join(' ')).join('\n')}\n`, { mode: 0o600 });
      const r = await auditctl(['-R', file], bin);
      if (r.code === 0) return [...ok, ...rest.map(() => true)];
      const line = Number(/error in line (\d+)/.exec(r.stderr)?.[1]);
      if (!Number.isInteger(line) || line < 1 || line > rest.length) return [...ok, ...(await oneByOne(rest, bin))];
      ok.push(...rest.slice(0, line - 1).map(() => true), false);
    }
    return ok;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function oneByOne(rules: readonly (readonly string[])[], bin: string): Promise<boolean[]> {
  const ok: boolean[] = [];
  for (const r of rules) ok.push((await auditctl(r, bin)).code === 0);
  return ok;
}

/** The synchronous form, for process-exit cleanup only. */
export function auditctlSync(args: readonly string[], bin = 'auditctl'): AuditctlResult {
  const r = spawnSync(bin, [...args], { timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export interface AuditStatus {
  /** 0 off, 1 on, 2 on and locked (immutable rules). */
  enabled: number;
  failure: number;
  /** The audit daemon's pid; 0 when none holds the kernel's audit socket. */
  pid: number;
  rateLimit: number;
  backlogLimit: number;
  /** Events the kernel dropped since boot (backlog full, rate limit, no memory). */
  lost: number;
  backlog: number;
  backlogWaitTime?: number;
}

/** `auditctl -s` output → status; throws on output without the basic fields. */
export function parseStatus(text: string): AuditStatus {
  const v: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+) (\d+)/.exec(line.trim());
    if (m) v[m[1] as string] = Number(m[2]);
  }
  const need = ['enabled', 'pid', 'lost', 'backlog_limit'];
  for (const k of need)
    if (v[k] === undefined) throw new BulwarkError('CORRUPT', 'auditctl -s', `no "${k}" in the status`);
  const s: AuditStatus = {
    enabled: v.enabled as number,
    failure: v.failure ?? 0,
    pid: v.pid as number,
    rateLimit: v.rate_limit ?? 0,
    backlogLimit: v.backlog_limit as number,
    lost: v.lost as number,
    backlog: v.backlog ?? 0,
  };
  if (v.backlog_wait_time !== undefined) s.backlogWaitTime = v.backlog_wait_time;
  return s;
}

export async function auditStatus(bin = 'auditctl'): Promise<AuditStatus> {
  const r = await auditctl(['-s'], bin);
  if (r.code !== 0) throw new BulwarkError('IO', 'auditctl -s', (r.stderr || r.stdout).trim() || `exit ${r.code}`);
  return parseStatus(r.stdout);
}

/** Runs auditctl and throws a BulwarkError when it fails. */
export async function auditctlOk(args: readonly string[], bin = 'auditctl'): Promise<string> {
  const r = await auditctl(args, bin);
  if (r.code !== 0)
    throw new BulwarkError('IO', `auditctl ${args.join(' ')}`, (r.stderr || r.stdout).trim() || `exit ${r.code}`);
  return r.stdout;
}
