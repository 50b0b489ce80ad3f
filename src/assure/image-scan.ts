import { z } from 'zod';
import { SEVERITIES, type Severity } from '../core/types.js';
import type { OpenedImage } from '../image/image.js';
import {
  runPipeline,
  type ImageTarget,
  type PipelineChecks,
  type PipelineOptions,
  type PipelineResult,
} from '../pipeline/pipeline.js';
import type { GateRules } from '../pipeline/verdict.js';
import { dbExists } from '../pipeline/vulns.js';
import { renderers } from '../report/index.js';
import { toJsonReport } from '../report/json.js';
import { TOOL_INFORMATION_URI, TOOL_VERSION } from '../core/tool.js';
import { makeVulnPredicate } from '../signing/in-toto.js';
import type { ImageFacts } from '../policy/facts.js';
import type { Policy } from '../policy/schema.js';

// The scan that assurance works from: inventory plus vulnerabilities, timed, reduced to the
// facts a policy reads and kept whole for the vulnerability attestation.

export type ImageScan = Pick<PipelineResult, 'report' | 'verdict' | 'startedOn' | 'finishedOn'>;

export type ScanFacts = NonNullable<ImageFacts['scan']>;

export interface AssuranceScanOptions extends Pick<ImageTarget, 'cacheDir' | 'progress'> {
  limits?: NonNullable<PipelineOptions['catalog']>['limits'];
  checks?: PipelineChecks;
  /** Vulnerability DB; without one the scan has no vulnerability results (and policies needing them fail). */
  dbPath: string;
  /** What counts against the image (push's --fail-on). */
  gate?: GateRules;
}

/** The pipeline over an image, every severity reported, no ignores: what push, attest and policy check judge. */
export async function scanForAssurance(image: OpenedImage, o: AssuranceScanOptions): Promise<ImageScan> {
  return runPipeline(
    { kind: 'image', image, cacheDir: o.cacheDir, ...(o.progress ? { progress: o.progress } : {}) },
    {
      catalog: { ...(o.limits ? { limits: o.limits } : {}), keepOsOwned: false, pkgTypes: ['os', 'library'] },
      ...(o.checks ? { checks: o.checks } : {}),
      ...(dbExists(o.dbPath) ? { vulns: { dbPath: o.dbPath } } : {}),
      ...(o.gate ? { gate: o.gate } : {}),
    },
  );
}

/** The scan a policy's checks rule needs: secrets and misconfigurations, with its skips and grades. */
export function policyCheckOptions(c: NonNullable<Policy['checks']>): PipelineChecks {
  return { secrets: true, misconfig: true, disabled: new Set(c.skip), severity: c.severity };
}

/** The open findings (fixed or unfixed; not ignored or not affected), as a policy sees them. */
function openFindings(
  list: readonly { id: string; severity: Severity; status: string; package?: { name: string } }[],
): ScanFacts['findings'] {
  return list
    .filter((f) => f.status === 'fixed' || f.status === 'unfixed')
    .map((f) => ({
      id: f.id,
      severity: f.severity,
      fixable: f.status === 'fixed',
      ...(f.package ? { pkg: f.package.name } : {}),
    }));
}

/** Open findings as a policy sees them; undefined when the scan matched no vulnerability DB. */
export function scanFacts(scan: ImageScan): ScanFacts | undefined {
  const v = scan.report.vulnerabilities;
  if (!v) return undefined;
  return { finishedAt: scan.finishedOn.toISOString(), findings: openFindings(v.findings) };
}

export type CheckFacts = NonNullable<ImageFacts['checks']>;

/** Failed checks as a policy sees them; undefined when checks did not run. */
export function checkFacts(scan: ImageScan): CheckFacts | undefined {
  return scan.report.checks?.map((c) => ({ id: c.checkId, severity: c.severity, message: c.message }));
}

/** The CycloneDX SBOM predicate of a scan. */
export function sbomPredicate(scan: ImageScan): unknown {
  return JSON.parse(renderers.cyclonedx!(scan.report)) as unknown;
}

/** cosign's vulnerability predicate, its result our JSON report; undefined without vulnerability results. */
export function vulnPredicate(scan: ImageScan): unknown {
  if (!scan.report.vulnerabilities) return undefined;
  return makeVulnPredicate({
    scannerUri: TOOL_INFORMATION_URI,
    scannerVersion: TOOL_VERSION,
    result: toJsonReport(scan.report),
    startedOn: scan.startedOn,
    finishedOn: scan.finishedOn,
  });
}

// What we read back from a vulnerability attestation's result: our own JSON report.
const AttestedFinding = z.looseObject({
  id: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(['fixed', 'unfixed', 'not_affected', 'ignored']),
  package: z.looseObject({ name: z.string() }).optional(),
});
const AttestedResult = z.looseObject({ vulnerabilities: z.looseObject({ findings: z.array(AttestedFinding) }) });
const AttestedChecks = z.looseObject({
  checks: z.array(z.looseObject({ checkId: z.string(), severity: z.enum(SEVERITIES), message: z.string() })),
});

/** Failed checks from an attested scan result; undefined when the scan ran none. */
export function attestedChecks(result: unknown): CheckFacts | undefined {
  const parsed = AttestedChecks.safeParse(result);
  return parsed.success
    ? parsed.data.checks.map((c) => ({ id: c.checkId, severity: c.severity, message: c.message }))
    : undefined;
}

/** Findings from an attested scan result; undefined when it is not a Bulwark report with vulnerabilities. */
export function attestedFindings(result: unknown, finishedAt: string): ScanFacts | undefined {
  const parsed = AttestedResult.safeParse(result);
  if (!parsed.success) return undefined;
  return { finishedAt, findings: openFindings(parsed.data.vulnerabilities.findings) };
}
