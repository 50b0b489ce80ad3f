import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';

// The official schemas: CycloneDX 1.6 as the CycloneDX library bundles it (offline ajv),
// SPDX 2.3 stored verbatim in src/sbom/fixtures. Each returns the errors, or null.

const cdx = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
export async function cycloneDxErrors(json: string): Promise<unknown> {
  return cdx.validate(json);
}

const spdxSchema = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'src', 'sbom', 'fixtures', 'spdx-2.3.schema.json'), 'utf8'),
) as object;
const spdx = new Ajv({ allErrors: true }).compile(spdxSchema);
export function spdxErrors(doc: unknown): unknown {
  return spdx(doc) ? null : spdx.errors;
}
