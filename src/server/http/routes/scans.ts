import { z } from 'zod';
import type { Store } from '../../store/open.js';
import { appendCustody, custodyOf } from '../../store/custody.js';
import { putImageScan, type ImageScan } from '../../store/images.js';
import { digestOf, imageScanOf, reportHash, ScanUpload } from '../../ingest/scan-report.js';
import { storeOf } from '../deps.js';
import { defineRoute, type RouteGroup } from '../route.js';

// A scanner (`bulwark scan … --server`) uploads its report: the image, its packages, findings
// and inventory are stored, and the digest's custody records the scan. Idempotent by the
// report's content hash: a retried upload is answered as stored, not stored again.

const Stored = z.object({
  digest: z.string(),
  report: z.string(),
  /** False when this report had been stored before (a retry). */
  stored: z.boolean(),
  packages: z.number(),
  findings: z.number(),
});

/** The custody entry of an earlier upload of this very report, if any. */
async function uploadedBefore(store: Store, digest: string, hash: string): Promise<boolean> {
  const entries = await custodyOf(store, digest);
  return entries.some((e) => e.kind === 'scanned' && e.details.report === hash);
}

/** Stores the scan and records it in the digest's custody, unless this report was stored before. */
async function storeOnce(
  store: Store,
  upload: ScanUpload,
  scan: ImageScan,
  hash: string,
  actor: string,
): Promise<boolean> {
  const digest = scan.digest;
  if (await uploadedBefore(store, digest, hash)) return false;
  await putImageScan(store, scan);
  await appendCustody(store, {
    digest,
    kind: 'scanned',
    actor,
    details: {
      report: hash,
      ...(upload.tool ? { tool: `${upload.tool.name} ${upload.tool.version}` } : {}),
      packages: scan.packages.length,
      findings: scan.findings.length,
      checks: upload.report.checks?.length ?? 0,
      ...(upload.verdict ? { verdict: upload.verdict } : {}),
    },
  });
  return true;
}

export const scans: RouteGroup = {
  id: 'scans',
  routes: ({ deps }) => {
    // Uploads of one report run one after another in this process, so a retry racing the
    // original finds it stored. (Replicas sharing PostgreSQL could still both store; that
    // repeats only the custody entry, the scan itself is replaced with the same content.)
    const queue = new Map<string, Promise<unknown>>();
    const serially = <T>(key: string, job: () => Promise<T>): Promise<T> => {
      const run = (queue.get(key) ?? Promise.resolve()).then(job, job);
      const settled = run.catch(() => undefined);
      queue.set(key, settled);
      void settled.then(() => queue.get(key) === settled && queue.delete(key));
      return run;
    };
    return [
      defineRoute({
        method: 'POST',
        url: '/api/v1/scans',
        summary:
          "Upload a scan report (`bulwark scan --format json`'s document) for an image digest (roles scanner, admin)",
        access: ['scanner', 'admin'],
        action: 'scan.upload',
        bodyLimit: 32 << 20,
        status: 201,
        body: ScanUpload,
        response: Stored,
        handler: async ({ body, principal, auditDetail }) => {
          const store = storeOf(deps);
          const digest = digestOf(body.report);
          const hash = reportHash(body.report);
          auditDetail({ digest, report: hash });
          const scan = imageScanOf(body, digest);
          const stored = await serially(hash, () => storeOnce(store, body, scan, hash, principal!.name));
          return { digest, report: hash, stored, packages: scan.packages.length, findings: scan.findings.length };
        },
      }),
    ];
  },
};
