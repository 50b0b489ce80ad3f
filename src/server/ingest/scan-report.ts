import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';
import { SEVERITIES, type Inventory } from '../../core/types.js';
import type { FindingRecord, ImageScan, PackageRecord } from '../store/images.js';

// A scanner's upload: the report as `bulwark scan --format json` writes it, validated at the
// boundary (bounded arrays and strings; unknown members kept, so the inventory stays whole for
// re-matching), turned into what the store keeps for the image.

export const DIGEST = /^sha256:[0-9a-f]{64}$/;

const Str = z.string().max(4096);
const Id = z.string().min(1).max(256);
const Many = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max);

const ReportPackage = z.looseObject({
  ecosystem: z.string().min(1).max(32),
  name: Str.min(1),
  version: Str,
  purl: Str,
  source: z.looseObject({ name: Str, version: Str.optional() }).optional(),
});

const ReportFinding = z.looseObject({
  id: Id,
  aliases: Many(Id, 256),
  package: z.looseObject({ name: Str, version: Str, purl: Str }),
  fixedVersions: Many(Str, 64),
  status: z.enum(['fixed', 'unfixed', 'not_affected', 'ignored']),
  severity: z.enum(SEVERITIES),
  cvss: z.looseObject({ score: z.number().min(0).max(10) }).optional(),
});

export const ScanReportBody = z.looseObject({
  schemaVersion: z.literal(1),
  artifact: z.looseObject({
    name: Str,
    type: z.string().max(32),
    digest: Str.regex(DIGEST, 'expected sha256: and 64 lower-case hex digits').optional(),
    imageId: Str.optional(),
    repoTags: Many(Str, 1000),
    repoDigests: Many(Str, 1000),
  }),
  os: z.looseObject({ family: z.string().max(64), version: z.string().max(64) }).nullable(),
  layers: Many(z.looseObject({}), 1000),
  packages: Many(ReportPackage, 200_000),
  issues: Many(z.looseObject({}), 100_000),
  vulnerabilities: z
    .looseObject({
      findings: Many(ReportFinding, 500_000),
      expiredIgnores: Many(z.looseObject({}), 10_000),
    })
    .optional(),
  checks: Many(z.looseObject({ id: Id }), 100_000).optional(),
});
type ScanReportBody = z.infer<typeof ScanReportBody>;

/** What the CLI adds beside the report: who scanned, and the gate's verdict when one ran. */
export const ScanUpload = z.strictObject({
  report: ScanReportBody,
  tool: z.strictObject({ name: z.string().max(64), version: z.string().max(64) }).optional(),
  verdict: z
    .strictObject({ clean: z.boolean(), exitCode: z.number().int().min(0).max(255), counted: z.number().int().min(0) })
    .optional(),
});
export type ScanUpload = z.infer<typeof ScanUpload>;

/** The image digest the report is about; a report without one (a directory, a bare archive) is refused. */
export function digestOf(report: ScanReportBody): string {
  const d = report.artifact.digest;
  if (d === undefined)
    throw new BulwarkError('MISSING_FIELD', 'body.report.artifact.digest', 'the report names no image digest');
  return d;
}

/** Identifies one report's content: a retried upload of the same report has the same hash. */
export function reportHash(report: ScanReportBody): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(report)).digest('hex')}`;
}

function packageRecord(p: ScanReportBody['packages'][number]): PackageRecord {
  return {
    ecosystem: p.ecosystem,
    name: p.name,
    version: p.version,
    purl: p.purl,
    ...(p.source ? { sourceName: p.source.name } : {}),
  };
}

type ReportFinding = z.infer<typeof ReportFinding>;

function findingRecord(f: ReportFinding): FindingRecord {
  const fixed = f.fixedVersions[0];
  return {
    advisoryId: f.id,
    aliases: f.aliases,
    packagePurl: f.package.purl,
    packageName: f.package.name,
    installed: f.package.version,
    severity: f.severity,
    ...(fixed !== undefined ? { fixed } : {}),
    ...(f.cvss ? { cvssScore: f.cvss.score } : {}),
  };
}

/** The inventory part of the report: what a re-match reads back. */
function inventoryOf(r: ScanReportBody): Inventory {
  const inventory: Record<string, unknown> = { ...r };
  delete inventory.vulnerabilities;
  delete inventory.checks;
  return inventory as unknown as Inventory;
}

/** What the store keeps: a VEX `not_affected` finding is not carried by the image. */
export function imageScanOf(upload: ScanUpload, digest: string): ImageScan {
  const r = upload.report;
  const findings = (r.vulnerabilities?.findings ?? []).filter((f) => f.status !== 'not_affected');
  return {
    digest,
    repoTags: r.artifact.repoTags,
    ...(r.os ? { os: `${r.os.family} ${r.os.version}` } : {}),
    packages: r.packages.map(packageRecord),
    findings: findings.map(findingRecord),
    inventory: inventoryOf(r),
  };
}
