import { toCycloneDx } from '../sbom/cyclonedx.js';
import { toSpdx } from '../sbom/spdx.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import type { Renderer } from './report.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';

export type { Renderer } from './report.js';

// One line per output format.
export const renderers: Record<string, Renderer> = {
  table: renderTable,
  json: renderJson,
  cyclonedx: (r) =>
    `${JSON.stringify(toCycloneDx(r.inventory, r.vulnerabilities ? { findings: r.vulnerabilities.findings } : {}), null, 2)}\n`,
  'spdx-json': (r) => `${JSON.stringify(toSpdx(r.inventory), null, 2)}\n`,
  sarif: renderSarif,
  markdown: renderMarkdown,
};
