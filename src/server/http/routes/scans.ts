import { z } from 'zod';
import type { Store } from '../../store/open.js';
import { appendCustody, custodyOf } from '../../store/custody.js';
import { putImageScan } from '../../store/images.js';
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

export const scans: RouteGroup = {
  id: 'scans',
  routes: ({ deps }) => [
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
        const scan = imageScanOf(body, digest);
        const counts = { packages: scan.packages.length, findings: scan.findings.length };
        auditDetail({ digest, report: hash });
        if (await uploadedBefore(store, digest, hash)) return { digest, report: hash, stored: false, ...counts };
        await putImageScan(store, scan);
        await appendCustody(store, {
          digest,
          kind: 'scanned',
          actor: principal!.name,
          details: {
            report: hash,
            ...(body.tool ? { tool: `${body.tool.name} ${body.tool.version}` } : {}),
            ...counts,
            checks: body.report.checks?.length ?? 0,
            ...(body.verdict ? { verdict: body.verdict } : {}),
          },
        });
        return { digest, report: hash, stored: true, ...counts };
      },
    }),
  ],
};
