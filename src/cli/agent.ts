import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { BulwarkError, messageOf } from '../core/errors.js';
import { loadSinkConfigFile, parseSinkAt, sinksFromEnv, SINKS_ENV } from '../events/sinks/document.js';
import { parseSinkConfig, type SinkConfig } from '../events/sinks/index.js';
import { parseDuration } from '../policy/duration.js';
import { parseSize } from './sizes.js';

// bulwark agent: the runtime agent in the foreground until SIGINT or SIGTERM.

interface AgentFlags {
  stateDir: string;
  sink?: string[];
  sinkConfig?: string;
  rules?: string[];
  mode: 'learn' | 'monitor' | 'protect';
  blockDrift?: boolean;
  fanotify: boolean;
  forkGuard: boolean;
  fileProfiles: boolean;
  fileRules: boolean;
  syscallRules: boolean;
  cpuThreshold?: string;
  memoryThreshold?: string;
  pidsThreshold?: string;
  ioThreshold?: string;
  learnPeriod?: string;
  afterLearn: 'monitor' | 'protect';
  auditRead?: 'log' | 'socket';
  auditPoll?: string;
  server?: string;
  token?: string;
  serverCa?: string;
}

/** Reported to the server when the agent registers (the CLI's own version). */
const AGENT_VERSION = '0.1.0';
export const TOKEN_ENV = 'BULWARK_TOKEN';

export interface AgentServerFlags {
  url: string;
  token: string;
  caFile?: string;
}

/** --server, --token (or BULWARK_TOKEN) and --server-ca, checked together; undefined without --server. */
export function agentServer(
  f: Pick<AgentFlags, 'server' | 'token' | 'serverCa'>,
  env: NodeJS.ProcessEnv = process.env,
): AgentServerFlags | undefined {
  const token = f.token ?? env[TOKEN_ENV];
  if (f.server === undefined) {
    if (f.token !== undefined || f.serverCa !== undefined)
      throw new BulwarkError('USAGE', '--server', '--token and --server-ca go with --server');
    return undefined;
  }
  if (!token) throw new BulwarkError('USAGE', '--server', `an agent token is needed: --token or ${TOKEN_ENV}`);
  let url: URL;
  try {
    url = new URL(f.server);
  } catch {
    throw new BulwarkError('USAGE', '--server', 'must be an https:// URL');
  }
  if (url.protocol !== 'https:') throw new BulwarkError('USAGE', '--server', 'must be an https:// URL');
  return { url: url.origin, token, ...(f.serverCa ? { caFile: f.serverCa } : {}) };
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new BulwarkError('IO', file, `cannot read the server CA: ${messageOf(e)}`, { cause: e });
  }
}

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new BulwarkError('USAGE', text, `${what} must be a positive number`);
  return n;
}

/** "10MiB/s" or "10MiB" → bytes per second. */
export function parseIoRate(text: string): number {
  const n = parseSize(text.trim().replace(/\/s$/i, ''));
  if (n <= 0) throw new BulwarkError('USAGE', text, '--io-threshold must be a positive rate (e.g. 10MiB/s)');
  return n;
}

function sinkOf(text: string, i: number): SinkConfig {
  // (never echoed: it may hold a token)
  const input = `--sink ${i + 1}`;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BulwarkError(
      'USAGE',
      input,
      'a sink is JSON, e.g. {"type":"syslog","format":"cef","protocol":"tcp","address":"siem.example.com:6514"}',
    );
  }
  return parseSinkAt(raw, input);
}

/** Sinks from --sink-config, BULWARK_SINKS and --sink, in that order; JSON lines on stdout when none. */
export function agentSinks(
  f: Pick<AgentFlags, 'sink' | 'sinkConfig'>,
  env: NodeJS.ProcessEnv = process.env,
): SinkConfig[] {
  const all = [
    ...(f.sinkConfig ? loadSinkConfigFile(f.sinkConfig) : []),
    ...(sinksFromEnv(env) ?? []),
    ...(f.sink ?? []).map(sinkOf),
  ];
  return all.length ? all : [parseSinkConfig({ type: 'jsonl' })];
}

export function agentCommand(): Command {
  return new Command('agent')
    .description(
      'watch every container on this Docker host (kernel audit, fanotify, the Engine): drift, executable profiles, fork bombs, sensitive files, exec sessions',
    )
    .option('--state-dir <dir>', "profiles and the audit daemon's files", '/var/lib/bulwark/agent')
    .option(
      '--sink <json...>',
      'where events go (default: JSON lines on stdout); types jsonl, syslog (rfc5424|cef over udp|tcp|tls), webhook, splunk-hec',
    )
    .option(
      '--sink-config <file>',
      `sinks from a YAML or JSON file only its owner can read (keeps tokens out of the command line); or the same document in ${SINKS_ENV}`,
    )
    .option(
      '--server <url>',
      "a Bulwark server (https) to register with: it gets this host's containers (full list on every reconnect, then changes) and the events",
    )
    .option('--token <token>', `the agent's API token for --server (better: ${TOKEN_ENV}, kept out of ps)`)
    .option('--server-ca <file>', 'PEM CA certificates to trust for --server (its self-signed certificate)')
    .option('--rules <file...>', 'rule files loaded after the default rules')
    .addOption(
      new Option('--mode <mode>', 'profile mode for workloads seen for the first time')
        .choices(['learn', 'monitor', 'protect'])
        .default('learn'),
    )
    .option(
      '--learn-period <duration>',
      'end learning after this long (e.g. 30m, 24h); profiles then move to --after-learn',
    )
    .addOption(
      new Option('--after-learn <mode>', 'the mode a profile takes when its learning period ends')
        .choices(['monitor', 'protect'])
        .default('monitor'),
    )
    .addOption(
      new Option(
        '--audit-read <how>',
        "read the agent's auditd from its log (batched while busy: least CPU) or its socket (each record at once: sooner, twice the CPU); default log where fanotify enforces, else socket",
      ).choices(['log', 'socket']),
    )
    .option(
      '--audit-poll <ms>',
      'with --audit-read log: how often the log is read while records keep coming (default 50; less: events sooner, more CPU)',
    )
    .option('--block-drift', 'refuse (or kill) programs that are not part of the image')
    .option('--no-fanotify', 'never refuse before exec; kill right after instead')
    .option('--no-fork-guard', 'do not watch process counts')
    .option(
      '--no-file-profiles',
      'do not hold opens of protected files for the file profiles (fanotify FAN_OPEN_PERM: each open in a container waits on the agent)',
    )
    .option('--no-file-rules', "no audit watches on containers' system, program, home and log directories")
    .option('--no-syscall-rules', 'no audit rules for sockets, ptrace, mount, namespaces, modules and bpf')
    .option('--cpu-threshold <percent>', 'alert when a container uses more than this share of a core')
    .option('--memory-threshold <size>', 'alert when a container uses more memory than this (e.g. 512MiB)')
    .option('--pids-threshold <n>', 'alert when a container runs more processes than this')
    .option(
      '--io-threshold <rate>',
      'alert when a container reads + writes more disk bytes per second than this (e.g. 10MiB/s)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  bulwark agent --block-drift --sink \'{"type":"syslog","format":"cef","protocol":"udp","address":"127.0.0.1:514"}\'\n  bulwark agent --mode monitor --rules my-rules.yaml\n  bulwark agent --learn-period 24h --after-learn protect   (then: bulwark profiles list)',
    )
    .action(async (f: AgentFlags) => {
      const server = agentServer(f);
      const sinks = [...agentSinks(f), ...(server ? [parseSinkConfig({ type: 'server', ...server })] : [])];
      const resources = {
        ...(f.cpuThreshold ? { cpuPercent: positive(f.cpuThreshold, '--cpu-threshold') } : {}),
        ...(f.memoryThreshold ? { memoryBytes: parseSize(f.memoryThreshold) } : {}),
        ...(f.pidsThreshold ? { pids: positive(f.pidsThreshold, '--pids-threshold') } : {}),
        ...(f.ioThreshold ? { ioBytesPerSecond: parseIoRate(f.ioThreshold) } : {}),
      };
      const learnPeriodMs = f.learnPeriod === undefined ? undefined : parseDuration(f.learnPeriod);
      if (learnPeriodMs === undefined && f.learnPeriod !== undefined)
        throw new BulwarkError('USAGE', f.learnPeriod, '--learn-period must be a duration such as 90s, 30m, 24h or 7d');
      const { startAgent } = await import('../runtime/agent.js');
      const agent = await startAgent({
        stateDir: f.stateDir,
        sinks,
        ...(server
          ? {
              server: {
                url: server.url,
                token: server.token,
                agentVersion: AGENT_VERSION,
                ...(server.caFile ? { ca: readCa(server.caFile) } : {}),
              },
            }
          : {}),
        ...(Object.keys(resources).length ? { resources } : {}),
        ...(f.rules ? { rules: f.rules } : {}),
        defaultMode: f.mode,
        ...(f.auditRead ? { auditRead: f.auditRead } : {}),
        ...(f.auditPoll ? { auditPollMs: Math.round(positive(f.auditPoll, '--audit-poll')) } : {}),
        ...(learnPeriodMs ? { learnPeriodMs, afterLearn: f.afterLearn } : {}),
        blockDrift: f.blockDrift ?? false,
        fanotify: f.fanotify,
        ...(f.forkGuard ? {} : { forkGuard: false as const }),
        ...(f.fileProfiles ? {} : { fileProfiles: false }),
        ...(f.fileRules ? {} : { fileRules: false }),
        ...(f.syscallRules ? {} : { auditSyscalls: false }),
      });
      process.stderr.write(
        `bulwark agent: running; enforcement ${agent.enforcement}${agent.enforcement === 'kill-after-exec' ? ` (${agent.enforcementReason})` : ''}\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await agent.stop();
      const { sinks: st, reporter } = agent.stats();
      process.stderr.write(
        `bulwark agent: stopped; events sent ${st.sent}, failed ${st.failed}, dropped ${st.dropped}${reporter ? `; server resyncs ${reporter.resyncs}, container changes ${reporter.changesSent}` : ''}\n`,
      );
    });
}
