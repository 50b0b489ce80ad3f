import type { Inventory } from '../core/types.js';
import { toCycloneDx } from '../sbom/cyclonedx.js';
import { toSpdx } from '../sbom/spdx.js';
import { renderTable } from './table.js';

export type Renderer = (inv: Inventory) => string;

// One line per output format.
export const renderers: Record<string, Renderer> = {
  table: renderTable,
  json: (inv) => `${JSON.stringify(inv, null, 2)}\n`,
  cyclonedx: (inv) => `${JSON.stringify(toCycloneDx(inv), null, 2)}\n`,
  'spdx-json': (inv) => `${JSON.stringify(toSpdx(inv), null, 2)}\n`,
};
