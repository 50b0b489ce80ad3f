import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { BulwarkError } from '../core/errors.js';
import { SEVERITIES } from '../core/types.js';
import { exitCodeFor, parseSeverities } from '../match/gate.js';
import { dbExists, scanVulnerabilities } from '../match/scan-vulns.js';
import type { ScanReport } from '../report/report.js';
import { defaultDbPath, warnIfOld } from '../vulndb/location.js';
import { EXIT_ERROR } from './exit.js';
import { openImage } from '../image/open.js';
import { DEFAULT_LIMITS, type Limits } from '../image/layer-walker.js';
import { parsePlatform } from '../image/platform.js';
import { renderers } from '../report/index.js';
import { defaultCacheDir } from '../scan/layer-cache.js';
import { PKG_TYPES, scanFs, scanImage, scanRootfs, type DirScanOptions, type PkgType, type ScanResult } from '../scan/scan.js';
import { writeOutput } from './output.js';
import { terminalProgress } from './progress.js';
import { parseSize } from './sizes.js';

interface ScanFlags {
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
  db?: string;
  severity: string;
  ignoreUnfixed?: boolean;
  exitCode: string;
  ignorefile?: string;
  vex?: string[];
  listAllPkgs?: boolean;
  dbMaxAge: string;
  insecure?: boolean;
  caFile?: string;
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
    .option('--scanners <list>', 'pkg (inventory only) or pkg,vuln (default: vuln when a vulnerability DB exists)')
    .option('--db <path>', 'vulnerability database (default: $BULWARK_DB or <cache>/db/bulwark.db)')
    .option('--severity <list>', 'severities to report and gate on', SEVERITIES.join(','))
    .option('--ignore-unfixed', 'leave out vulnerabilities with no fixed version')
    .option('--exit-code <n>', 'exit with n when vulnerabilities remain after filters (2 is reserved for errors)', '0')
    .option('--ignorefile <file>', 'accepted risks (YAML: id, package, reason, expires); default .bulwarkignore when present')
    .option('--vex <file...>', 'OpenVEX or CycloneDX VEX documents: not_affected statements suppress findings')
    .option('--list-all-pkgs', 'table: list every package as well as the vulnerabilities')
    .option('--db-max-age <age>', 'warn when the vulnerability DB is older than this', '7d')
    .option('--offline', 'never use the network (scans never download; accepted for Trivy compatibility)')
    .option('--skip-db-update', 'do not update the vulnerability DB (scans never do; run `bulwark db update`)');
}

function exitCodeOf(f: ScanFlags): number {
  const n = Number(f.exitCode);
  if (!Number.isInteger(n) || n < 0 || n > 255 || n === EXIT_ERROR) throw new BulwarkError('USAGE', f.exitCode, 'exit code must be 0–255 and not 2 (reserved for errors)');
  return n;
}

/** Vulnerabilities are scanned when asked, or by default whenever a database exists. */
function wantsVulns(f: ScanFlags, dbPath: string): boolean {
  if (f.scanners === undefined) return dbExists(dbPath);
  const list = f.scanners.split(',').map((x) => x.trim());
  for (const x of list) if (x !== 'pkg' && x !== 'vuln') throw new BulwarkError('USAGE', x, 'unknown scanner (use pkg, vuln)');
  if (list.includes('vuln') && !dbExists(dbPath)) throw new BulwarkError('NOT_FOUND', dbPath, 'no vulnerability database: run `bulwark db update` or `bulwark db import PATH`');
  return list.includes('vuln');
}

function pkgTypesOf(f: ScanFlags): PkgType[] {
  const types = f.pkgTypes.split(',').map((t) => t.trim());
  for (const t of types) if (!(PKG_TYPES as readonly string[]).includes(t)) throw new BulwarkError('USAGE', t, `unknown package type (use ${PKG_TYPES.join(', ')})`);
  return types as PkgType[];
}

function dirOptions(f: ScanFlags): DirScanOptions {
  return { limits: limitsOf(f), keepOsOwned: f.includeOsOwned ?? false, pkgTypes: pkgTypesOf(f) };
}

function limitsOf(f: ScanFlags): Limits {
  return {
    ...DEFAULT_LIMITS,
    ...(f.maxLayerSize ? { maxLayerBytes: parseSize(f.maxLayerSize) } : {}),
    ...(f.maxFileSize ? { maxFileBytes: parseSize(f.maxFileSize) } : {}),
  };
}

async function finish(r: ScanResult, f: ScanFlags): Promise<void> {
  const render = renderers[f.format];
  if (!render) throw new BulwarkError('USAGE', f.format, 'unknown format');
  const report: ScanReport = { inventory: r.inventory, listAllPackages: f.listAllPkgs ?? false };
  const exitCode = exitCodeOf(f);
  const dbPath = f.db ?? defaultDbPath();
  let code = 0;
  if (wantsVulns(f, dbPath)) {
    const ignoreFile = f.ignorefile ?? (existsSync('.bulwarkignore') ? '.bulwarkignore' : undefined);
    const { results, issues } = await scanVulnerabilities(r.inventory, {
      dbPath,
      severities: parseSeverities(f.severity),
      ignoreUnfixed: f.ignoreUnfixed ?? false,
      ...(ignoreFile ? { ignoreFile } : {}),
      vexFiles: f.vex ?? [],
    });
    r.inventory.issues.push(...issues);
    report.vulnerabilities = results;
    for (const e of results.expiredIgnores) process.stderr.write(`bulwark: warning: ignore entry ${e.id} expired on ${e.expires}: no longer applied\n`);
    warnIfOld(dbPath, f.dbMaxAge);
    code = exitCodeFor(results.shown, exitCode);
  }
  await writeOutput(render(report), f.output);
  if (code !== 0) process.exitCode = code;
  if (f.stats) process.stderr.write(`layers analysed: ${r.stats.layersAnalysed}, from cache: ${r.stats.layersFromCache}\n`);
}

export function scanCommand(): Command {
  const scan = new Command('scan').description('scan an image or a root filesystem');
  common(
    scan
      .command('image')
      .description('scan a container image')
      .argument('<target>', 'docker save archive (.tar/.tar.gz), OCI layout (oci:PATH[:TAG] or a directory), docker:NAME, registry:REF or REGISTRY/REPO[:TAG], or an image name the local engine knows')
      .option('--platform <os/arch>', 'platform to pick from a multi-platform image (default: this host)')
      .option('--insecure', 'registry: allow plain http or unverified TLS (loopback registries only)')
      .option('--ca-file <file>', 'registry: PEM file of extra CA certificates (default: $SSL_CERT_FILE)')
      .option('--cache-dir <dir>', 'layer analysis cache', defaultCacheDir())
      .option('--no-cache', 'do not read or write the layer cache'),
  )
    .addHelpText('after', '\nExamples:\n  bulwark scan image debian.tar\n  bulwark scan image oci:./layout:1.0 --format cyclonedx -o sbom.json\n  bulwark scan image docker:nginx:latest\n  bulwark scan image registry.example.com/team/app:1.4 --ca-file corp-ca.pem')
    .action(async (target: string, f: ScanFlags) => {
      const limits = limitsOf(f);
      const image = await openImage(target, {
        limits,
        ...(f.platform ? { platform: parsePlatform(f.platform) } : {}),
        ...(f.insecure ? { insecure: true } : {}),
        ...(f.caFile ? { caFile: f.caFile } : {}),
      });
      try {
        const r = await scanImage(image, {
          cacheDir: f.cache ? f.cacheDir ?? defaultCacheDir() : null,
          limits,
          keepOsOwned: f.includeOsOwned ?? false,
          pkgTypes: pkgTypesOf(f),
          ...(f.quiet ? {} : { progress: terminalProgress(true) }),
        });
        await finish(r, f);
      } finally {
        await image.close();
      }
    });
  common(scan.command('rootfs').description('scan an unpacked root filesystem directory').argument('<dir>', 'root filesystem directory'))
    .addHelpText('after', '\nExample:\n  bulwark scan rootfs /srv/chroot/bookworm --format spdx-json')
    .action(async (dir: string, f: ScanFlags) => {
      await finish(await scanRootfs(dir, dir, dirOptions(f)), f);
    });
  common(scan.command('fs').description('scan a source tree or directory: installed packages, lockfiles and manifests').argument('<dir>', 'directory'))
    .addHelpText('after', '\nExample:\n  bulwark scan fs . --format cyclonedx -o sbom.json')
    .action(async (dir: string, f: ScanFlags) => {
      await finish(await scanFs(dir, dir, dirOptions(f)), f);
    });
  return scan;
}
