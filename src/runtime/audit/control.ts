import { execFile, spawnSync } from 'node:child_process';
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
