import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonReport } from '../../src/report/json.js';
import { openImage } from '../../src/image/open.js';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { importPath } from '../../src/vulndb/import.js';
import { VulnStore } from '../../src/vulndb/store.js';
import { ociLayout } from './image-writer.js';
import { makeTar } from './layers.js';

// A small real image (OCI layout) holding an npm application with two vulnerable packages, and
// a vulnerability DB whose records name them: what the server tests upload and query.
//   lodash 4.17.11   GHSA-SRV-LODASH (alias CVE-2099-0001)  fixed 4.17.12, CVSS 9.8 → CRITICAL
//   minimist 1.2.0   GHSA-SRV-MINI   (alias CVE-2099-0002)  fixed 1.2.6,   CVSS 5.3 → MEDIUM

const T = '2024-01-01T00:00:00Z';
const record = (id: string, alias: string, name: string, fixed: string, vector: string) => ({
  schema_version: '1.6.0',
  id,
  aliases: [alias],
  modified: T,
  severity: [{ type: 'CVSS_V3', score: vector }],
  affected: [
    { package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] },
  ],
});
const RECORDS = [
  record('GHSA-SRV-LODASH', 'CVE-2099-0001', 'lodash', '4.17.12', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'),
  record('GHSA-SRV-MINI', 'CVE-2099-0002', 'minimist', '1.2.6', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N'),
];
const LOCK = {
  name: 'app',
  lockfileVersion: 3,
  packages: {
    '': { name: 'app' },
    'node_modules/lodash': { version: '4.17.11' },
    'node_modules/minimist': { version: '1.2.0' },
  },
};

export interface ScannableImage {
  /** The OCI layout directory (scan it as `oci:<layout>`). */
  layout: string;
  dbPath: string;
}

/** Writes the image and the DB under dir. */
export async function scannableImage(dir: string): Promise<ScannableImage> {
  const layout = join(dir, 'layout');
  mkdirSync(layout, { recursive: true });
  const tar = await makeTar([
    { name: 'app/', type: 'directory' },
    { name: 'app/package-lock.json', content: JSON.stringify(LOCK) },
    { name: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: '4.17.11' }) },
    { name: 'app/node_modules/minimist/package.json', content: JSON.stringify({ name: 'minimist', version: '1.2.0' }) },
  ]);
  ociLayout(layout, [{ tar }], 'server-test:1');
  const feed = join(dir, 'feed');
  mkdirSync(feed, { recursive: true });
  RECORDS.forEach((r, i) => writeFileSync(join(feed, `${i}.json`), JSON.stringify(r)));
  const dbPath = join(dir, 'vuln.db');
  const store = VulnStore.open(dbPath);
  try {
    importPath(store, feed);
  } finally {
    store.close();
  }
  return { layout, dbPath };
}

/** The JSON report `bulwark scan image oci:<layout> --format json --db <db>` writes, scanned in process. */
export async function jsonReportOf(img: ScannableImage): Promise<Record<string, unknown>> {
  const image = await openImage(`oci:${img.layout}`);
  try {
    const r = await runPipeline({ kind: 'image', image, cacheDir: null }, { vulns: { dbPath: img.dbPath } });
    return toJsonReport(r.report) as Record<string, unknown>;
  } finally {
    await image.close();
  }
}
