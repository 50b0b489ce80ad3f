import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BulwarkError } from '../../core/errors.js';

// The files of an audit daemon: the private configuration Bulwark writes for its own auditd
// (a log and an af_unix dispatcher socket under its directory), and what a running daemon's
// configuration says it offers to readers.

/** `key = value` lines of auditd.conf and plugin files. */
export function parseConf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return out;
}

export interface AuditdFiles {
  etcDir: string;
  socketPath: string;
  logFile: string;
}

/** Writes a private auditd configuration (auditd.conf, plugins.d/af_unix.conf) under dir. */
export async function writeAuditdConfig(
  dir: string,
  opts: { socket: boolean; writeLogs?: boolean; logFormat?: 'RAW' | 'ENRICHED'; maxLogMb?: number },
): Promise<AuditdFiles> {
  if (/[\s=#]/.test(dir))
    throw new BulwarkError(
      'USAGE',
      dir,
      'the audit directory path may not contain spaces, "=" or "#" (auditd.conf cannot express them)',
    );
  const etcDir = join(dir, 'etc');
  const pluginDir = join(etcDir, 'plugins.d');
  const logDir = join(dir, 'log');
  const files: AuditdFiles = { etcDir, socketPath: join(dir, 'events.sock'), logFile: join(logDir, 'audit.log') };
  await mkdir(pluginDir, { recursive: true, mode: 0o700 });
  await mkdir(logDir, { recursive: true, mode: 0o700 });
  const conf = [
    '# Written by Bulwark for its private auditd; removed when the audit source stops.',
    'local_events = yes',
    `write_logs = ${opts.writeLogs === false ? 'no' : 'yes'}`,
    `log_file = ${files.logFile}`,
    `log_format = ${opts.logFormat ?? 'RAW'}`,
    'log_group = root',
    'flush = NONE',
    'freq = 0',
    `max_log_file = ${opts.maxLogMb ?? 8}`,
    'num_logs = 2',
    'max_log_file_action = ROTATE',
    'space_left = 75',
    'space_left_action = SYSLOG',
    'admin_space_left = 50',
    'admin_space_left_action = SYSLOG',
    // The log is only a fallback: a full or failing disk must not stop the socket.
    'disk_full_action = IGNORE',
    'disk_error_action = IGNORE',
    'use_libwrap = no',
    'q_depth = 8192',
    'overflow_action = SYSLOG',
    'max_restarts = 10',
    `plugin_dir = ${pluginDir}`,
    'name_format = NONE',
    'end_of_event_timeout = 2',
    '',
  ].join('\n');
  const plugin = [
    `active = ${opts.socket ? 'yes' : 'no'}`,
    'direction = out',
    'path = builtin_af_unix',
    'type = builtin',
    `args = 0600 ${files.socketPath}`,
    'format = string',
    '',
  ].join('\n');
  // auditd refuses configuration files that others can write.
  await writeFile(join(etcDir, 'auditd.conf'), conf, { mode: 0o600 });
  await writeFile(join(pluginDir, 'af_unix.conf'), plugin, { mode: 0o600 });
  await chmod(join(etcDir, 'auditd.conf'), 0o600);
  await chmod(join(pluginDir, 'af_unix.conf'), 0o600);
  return files;
}

/** auditd's command line for a private config dir (foreground, no fork). */
export function auditdArgs(etcDir: string, enable: boolean): string[] {
  return ['-n', '-c', etcDir, '-s', enable ? 'enable' : 'nochange'];
}

export interface RunningDaemon {
  pid: number;
  logFile?: string;
  socketPath?: string;
}

/** What a running auditd offers to readers, from its configuration. */
export async function runningDaemonOutputs(configDir: string, pid: number): Promise<RunningDaemon> {
  let conf: Record<string, string> = {};
  try {
    conf = parseConf(await readFile(join(configDir, 'auditd.conf'), 'utf8'));
  } catch {
    // defaults below
  }
  const out: RunningDaemon = { pid };
  if ((conf.write_logs ?? 'yes').toLowerCase() !== 'no') out.logFile = conf.log_file ?? '/var/log/audit/audit.log';
  const pluginDir = conf.plugin_dir ?? join(configDir, 'plugins.d');
  let names: string[] = [];
  try {
    names = (await readdir(pluginDir)).filter((n) => n.endsWith('.conf')).sort();
  } catch {
    names = [];
  }
  for (const n of names) {
    let p: Record<string, string>;
    try {
      p = parseConf(await readFile(join(pluginDir, n), 'utf8'));
    } catch {
      continue;
    }
    const isAfUnix = p.path === 'builtin_af_unix' || (p.path ?? '').endsWith('audisp-af_unix');
    if (!isAfUnix || (p.active ?? '').toLowerCase() !== 'yes' || (p.format ?? 'string').toLowerCase() !== 'string')
      continue;
    const sock = (p.args ?? '').split(/\s+/).find((a) => a.includes('/'));
    if (sock) {
      out.socketPath = sock;
      break;
    }
  }
  return out;
}
