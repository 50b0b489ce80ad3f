import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { BulwarkError } from '../core/errors.js';
import { SEVERITIES, type Severity } from '../core/types.js';
import { CHECKS } from '../checks/catalog.js';
import type { CheckOptions } from '../checks/run.js';
import type { PssLevel } from '../checks/workloads/config-scan.js';
import { parseSeverities, parseSeverity } from '../match/gate.js';
import { runPipeline, type PipelineOptions, type PipelineResult, type PipelineTarget } from '../pipeline/pipeline.js';
import { dbExists } from '../pipeline/vulns.js';
import { defaultDbPath, warnIfOld } from '../vulndb/location.js';
import { EXIT_ERROR, EXIT_UPLOAD } from './exit.js';
import { openImage } from '../image/open.js';
import { DEFAULT_LIMITS, type Limits } from '../image/limits.js';
import { parsePlatform } from '../image/platform.js';
import { renderers } from '../report/index.js';
import { defaultCacheDir } from '../core/cache-dir.js';
import { PKG_TYPES, type PkgType } from '../scan/scan.js';
import { writeOutput } from './output.js';
import { noPurlWarnings } from '../sbom/common.js';
import { registryFlags, registryOptions, type RegistryFlags } from './registry-flags.js';
import { terminalProgress } from './progress.js';
import { parseSize } from './sizes.js';
import { serverFlags, serverTarget, type ServerFlags } from './server-client.js';
import { uploadScan } from './upload.js';

interface ScanFlags extends RegistryFlags, ServerFlags {
  format: string;
  output?: string;
  platform?: string;
  cacheDir?: string;
  cache: boolean;
  quiet?: boolean;
  maxLayerSize?: string;
  maxFileSize?: string;
  stats?: boolean;
  includeOsOwned?: boolean;
  pkgTypes: string;
  scanners?: string;
  skipChecks?: string;
  checkSeverity?: string[];
  db?: string;
  severity: string;
  ignoreUnfixed?: boolean;
  failOn?: string;
  unknownAs: string;
  exitCode: string;
  ignorefile?: string;
  vex?: string[];
  listAllPkgs?: boolean;
  dbMaxAge: string;
}

function common(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'output format').choices(Object.keys(renderers)).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-q, --quiet', 'no progress display')
    .option('--max-layer-size <size>', 'refuse layers that expand beyond this (e.g. 32GiB)')
    .option('--max-file-size <size>', 'refuse analysed files larger than this (e.g. 512MiB)')
    .option('--stats', 'print how many layers were analysed and taken from the cache, on stderr')
    .option('--include-os-owned', 'also list language packages whose files an OS package installed')
    .option('--pkg-types <types>', 'package types to catalogue: os, library, or os,library', 'os,library')
    .option(
      '--scanners <list>',
      'any of pkg, vuln, secret, misconfig (default: vuln when a vulnerability DB exists, and secret)',
    )
    .option('--skip-checks <ids>', 'check ids not to run (comma-separated; see `bulwark checks list`)')
    .option('--check-severity <id=severity...>', 'report a check at another severity (e.g. BW-IMG-005=MEDIUM)')
    .option('--db <path>', 'vulnerability database (default: $BULWARK_DB or <cache>/db/bulwark.db)')
    .option('--severity <list>', 'severities to report and gate on', SEVERITIES.join(','))
    .option('--ignore-unfixed', 'leave out vulnerabilities with no fixed version')
    .option('--exit-code <n>', 'exit with n when vulnerabilities remain after filters (2 is reserved for errors)', '0')
    .option(
      '--fail-on <severity>',
      'exit non-zero (the --exit-code value, else 1) when a vulnerability at or above this severity remains after filters',
    )
    .option(
      '--unknown-as <severity>',
      'the severity unrated vulnerabilities count as for --severity and --fail-on (UNKNOWN ranks lowest: --fail-on LOW does not count it)',
      'UNKNOWN',
    )
    .option(
      '--ignorefile <file>',
      'accepted risks (YAML: id, package, reason, expires); default .bulwarkignore when present',
    )
    .option('--vex <file...>', 'OpenVEX or CycloneDX VEX documents: not_affected statements suppress findings')
    .option('--list-all-pkgs', 'table: list every package as well as the vulnerabilities')
    .option('--db-max-age <age>', 'warn when the vulnerability DB is older than this', '7d')
    .option('--offline', 'never use the network (scans never download; accepted for Trivy compatibility)')
    .option('--skip-db-update', 'do not update the vulnerability DB (scans never do; run `bulwark db update`)');
}

function exitCodeOf(f: ScanFlags): number {
  const n = Number(f.exitCode);
  if (!Number.isInteger(n) || n < 0 || n > 255 || n === EXIT_ERROR)
    throw new BulwarkError('USAGE', f.exitCode, 'exit code must be 0–255 and not 2 (reserved for errors)');
  return n;
}

const SCANNERS = ['pkg', 'vuln', 'secret', 'misconfig'] as const;
type Scanner = (typeof SCANNERS)[number];

/** The scanners asked for; by default vulnerabilities whenever a database exists, and secrets. */
function scannersOf(f: ScanFlags, dbPath: string): Set<Scanner> {
  if (f.scanners === undefined)
    return new Set<Scanner>(['pkg', 'secret', ...(dbExists(dbPath) ? ['vuln' as const] : [])]);
  const list = f.scanners.split(',').map((x) => x.trim());
  for (const x of list)
    if (!(SCANNERS as readonly string[]).includes(x))
      throw new BulwarkError('USAGE', x, `unknown scanner (use ${SCANNERS.join(', ')})`);
  if (list.includes('vuln') && !dbExists(dbPath))
    throw new BulwarkError(
      'NOT_FOUND',
      dbPath,
      'no vulnerability database: run `bulwark db update` or `bulwark db import PATH`',
    );
  return new Set(list as Scanner[]);
}

function checkOptionsOf(f: ScanFlags): CheckOptions | undefined {
  const s = scannersOf(f, f.db ?? defaultDbPath());
  if (!s.has('secret') && !s.has('misconfig')) return undefined;
  const known = new Set(CHECKS.map((c) => c.id));
  const ids = (f.skipChecks ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const id of ids)
    if (!known.has(id)) throw new BulwarkError('USAGE', id, 'unknown check id (see `bulwark checks list`)');
  const severity = new Map<string, Severity>();
  for (const kv of f.checkSeverity ?? []) {
    const [id, sev] = kv.split('=');
    if (!id || !known.has(id)) throw new BulwarkError('USAGE', kv, 'expected CHECK-ID=SEVERITY with a known check id');
    severity.set(id, parseSeverities(sev ?? '')[0]!);
  }
  return { secrets: s.has('secret'), misconfig: s.has('misconfig'), disabled: new Set(ids), severity };
}

function pkgTypesOf(f: ScanFlags): PkgType[] {
  const types = f.pkgTypes.split(',').map((t) => t.trim());
  for (const t of types)
    if (!(PKG_TYPES as readonly string[]).includes(t))
      throw new BulwarkError('USAGE', t, `unknown package type (use ${PKG_TYPES.join(', ')})`);
  return types as PkgType[];
}

function limitsOf(f: ScanFlags): Limits {
  return {
    ...DEFAULT_LIMITS,
    ...(f.maxLayerSize ? { maxLayerBytes: parseSize(f.maxLayerSize) } : {}),
    ...(f.maxFileSize ? { maxFileBytes: parseSize(f.maxFileSize) } : {}),
  };
}

/** The pipeline's options from the flags: what to catalogue, check and match, and how to gate. */
function pipelineOptions(f: ScanFlags): PipelineOptions {
  const checks = checkOptionsOf(f);
  const dbPath = f.db ?? defaultDbPath();
  const ignoreFile = f.ignorefile ?? (existsSync('.bulwarkignore') ? '.bulwarkignore' : undefined);
  return {
    catalog: { limits: limitsOf(f), keepOsOwned: f.includeOsOwned ?? false, pkgTypes: pkgTypesOf(f) },
    ...(checks ? { checks } : {}),
    ...(scannersOf(f, dbPath).has('vuln')
      ? { vulns: { dbPath, ...(ignoreFile ? { ignoreFile } : {}), vexFiles: f.vex ?? [] } }
      : {}),
    severities: parseSeverities(f.severity),
    ignoreUnfixed: f.ignoreUnfixed ?? false,
    gate: {
      exitCode: exitCodeOf(f),
      unknownAs: parseSeverity(f.unknownAs),
      ...(f.failOn ? { failOn: parseSeverity(f.failOn) } : {}),
    },
  };
}

/** Run the pipeline, render its report, warn, and set the gate's exit code. */
async function scanAndRender(
  target: PipelineTarget,
  f: ScanFlags,
  o: PipelineOptions = pipelineOptions(f),
): Promise<PipelineResult> {
  const render = renderers[f.format];
  if (!render) throw new BulwarkError('USAGE', f.format, 'unknown format');
  const r = await runPipeline(target, o);
  for (const e of r.report.vulnerabilities?.expiredIgnores ?? [])
    process.stderr.write(`bulwark: warning: ignore entry ${e.id} expired on ${e.expires}: no longer applied\n`);
  if (o.vulns) warnIfOld(o.vulns.dbPath, f.dbMaxAge);
  await writeOutput(render({ ...r.report, listAllPackages: f.listAllPkgs ?? false }), f.output);
  if (f.format === 'cyclonedx' || f.format === 'spdx-json')
    for (const w of noPurlWarnings(r.report.inventory)) process.stderr.write(`bulwark: warning: ${w}\n`);
  if (r.verdict.exitCode !== 0) process.exitCode = r.verdict.exitCode;
  if (f.stats && r.stats)
    process.stderr.write(`layers analysed: ${r.stats.layersAnalysed}, from cache: ${r.stats.layersFromCache}\n`);
  return r;
}

export function scanCommand(): Command {
  const scan = new Command('scan').description('scan an image or a root filesystem');
  common(
    registryFlags(
      serverFlags(
        scan.command('image'),
        'also upload the report (JSON) to this server; a failed upload exits 3 unless the gate already failed',
      )
        .description('scan a container image')
        .argument(
          '<target>',
          'docker save archive (.tar/.tar.gz), OCI layout (oci:PATH[:TAG] or a directory), docker:NAME, registry:REF or REGISTRY/REPO[:TAG], or an image name the local engine knows',
        )
        .option('--platform <os/arch>', 'platform to pick from a multi-platform image (default: this host)'),
    )
      .option('--cache-dir <dir>', 'layer analysis cache', defaultCacheDir())
      .option('--no-cache', 'do not read or write the layer cache'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  bulwark scan image debian.tar\n  bulwark scan image oci:./layout:1.0 --format cyclonedx -o sbom.json\n  bulwark scan image docker:nginx:latest\n  bulwark scan image registry.example.com/team/app:1.4 --ca-file corp-ca.pem',
    )
    .action(async (target: string, f: ScanFlags) => {
      const o = pipelineOptions(f); // bad flags fail before the image is opened
      const server = f.server !== undefined ? serverTarget(f) : undefined;
      if (server && exitCodeOf(f) === EXIT_UPLOAD)
        throw new BulwarkError('USAGE', f.exitCode, `with --server, exit code ${EXIT_UPLOAD} means the upload failed`);
      const image = await openImage(target, {
        limits: limitsOf(f),
        ...(f.platform ? { platform: parsePlatform(f.platform) } : {}),
        ...registryOptions(f),
      });
      let r: PipelineResult;
      try {
        r = await scanAndRender(
          {
            kind: 'image',
            image,
            cacheDir: f.cache ? (f.cacheDir ?? defaultCacheDir()) : null,
            ...(f.quiet ? {} : { progress: terminalProgress(true) }),
          },
          f,
          o,
        );
      } finally {
        await image.close();
      }
      if (server) await uploadScan(server, r, f.quiet ?? false);
    });
  common(
    scan
      .command('rootfs')
      .description('scan an unpacked root filesystem directory')
      .argument('<dir>', 'root filesystem directory'),
  )
    .addHelpText('after', '\nExample:\n  bulwark scan rootfs /srv/chroot/bookworm --format spdx-json')
    .action(async (dir: string, f: ScanFlags) => {
      await scanAndRender({ kind: 'rootfs', dir }, f);
    });
  common(
    scan
      .command('fs')
      .description('scan a source tree or directory: installed packages, lockfiles and manifests')
      .argument('<dir>', 'directory'),
  )
    .addHelpText('after', '\nExample:\n  bulwark scan fs . --format cyclonedx -o sbom.json')
    .action(async (dir: string, f: ScanFlags) => {
      await scanAndRender({ kind: 'fs', dir }, f);
    });
  scan
    .command('config')
    .description(
      'check workload files: Kubernetes manifests, docker-compose files, Docker Engine container-create bodies',
    )
    .argument('<path>', 'file or directory')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(Object.keys(renderers).filter((k) => k !== 'cyclonedx' && k !== 'spdx-json'))
        .default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(
      new Option('--pss <level>', 'also check the Kubernetes Pod Security Standards at this level').choices([
        'baseline',
        'restricted',
      ]),
    )
    .option(
      '--pss-version <version>',
      'Pod Security Standards version: latest or v1.N (v1.0 … v1.22 as admission evaluates them, newer than Bulwark knows = latest)',
      'latest',
    )
    .option('--severity <list>', 'severities to report and gate on', SEVERITIES.join(','))
    .option('--exit-code <n>', 'exit with n when checks fail (2 is reserved for errors)', '0')
    .option('--skip-checks <ids>', 'check ids not to run (comma-separated)')
    .option('--check-severity <id=severity...>', 'report a check at another severity')
    .addHelpText(
      'after',
      '\nExamples:\n  bulwark scan config k8s/ --pss restricted --pss-version v1.29\n  bulwark scan config docker-compose.yml --exit-code 1 --severity HIGH,CRITICAL',
    )
    .action(async (path: string, f: ScanFlags & { pss?: PssLevel; pssVersion: string }) => {
      const r = await runPipeline(
        { kind: 'config', path, ...(f.pss ? { pss: { level: f.pss, version: f.pssVersion } } : {}) },
        {
          checks: checkOptionsOf({ ...f, scanners: 'misconfig' })!,
          severities: parseSeverities(f.severity),
          gate: { exitCode: exitCodeOf(f) },
        },
      );
      await writeOutput(renderers[f.format]!(r.report), f.output);
      if (r.verdict.exitCode !== 0) process.exitCode = r.verdict.exitCode;
    });
  return scan;
}
