import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import type { Finding } from '../core/types.js';

// VEX input: statements that a product is not affected by a vulnerability, in OpenVEX
// or CycloneDX form. Matching findings are kept in the report with status not_affected.

interface Statement {
  vulnerability: string;
  /** purls (without qualifiers) the statement covers; empty = every package. */
  products: string[];
  reason: string;
}

const OpenVexProduct = z.union([
  z.string(),
  z.looseObject({
    '@id': z.string().optional(),
    subcomponents: z.array(z.union([z.string(), z.looseObject({ '@id': z.string().optional() })])).optional(),
  }),
]);
const OpenVex = z.looseObject({
  '@context': z.string().regex(/openvex/),
  statements: z.array(
    z.looseObject({
      vulnerability: z.union([z.string(), z.looseObject({ name: z.string() })]),
      products: z.array(OpenVexProduct).optional(),
      status: z.string(),
      justification: z.string().optional(),
      impact_statement: z.string().optional(),
    }),
  ),
});
const CycloneDxVex = z.looseObject({
  bomFormat: z.literal('CycloneDX'),
  vulnerabilities: z.array(
    z.looseObject({
      id: z.string(),
      analysis: z
        .looseObject({
          state: z.string().optional(),
          justification: z.string().optional(),
          detail: z.string().optional(),
        })
        .optional(),
      affects: z.array(z.looseObject({ ref: z.string() })).optional(),
    }),
  ),
});

const id = (p: string | { '@id'?: string | undefined }): string => (typeof p === 'string' ? p : (p['@id'] ?? ''));

function openVexStatements(doc: z.infer<typeof OpenVex>): Statement[] {
  return doc.statements
    .filter((s) => s.status === 'not_affected')
    .map((s) => {
      const products = (s.products ?? []).flatMap((p) => {
        const subs = typeof p === 'string' ? [] : (p.subcomponents ?? []).map(id);
        return subs.length > 0 ? subs : [id(p)];
      });
      return {
        vulnerability: typeof s.vulnerability === 'string' ? s.vulnerability : s.vulnerability.name,
        // a statement about the image itself (not a package purl) covers all its packages
        products: products.every(
          (x) => x.startsWith('pkg:') && !x.startsWith('pkg:oci/') && !x.startsWith('pkg:docker/'),
        )
          ? products
          : [],
        reason: [s.justification, s.impact_statement].filter(Boolean).join(': ') || 'not_affected (OpenVEX)',
      };
    });
}

function cycloneDxStatements(doc: z.infer<typeof CycloneDxVex>): Statement[] {
  return doc.vulnerabilities
    .filter((v) => v.analysis?.state === 'not_affected' || v.analysis?.state === 'false_positive')
    .map((v) => ({
      vulnerability: v.id,
      products: (v.affects ?? []).map((a) => a.ref).filter((r) => r.startsWith('pkg:')),
      reason:
        [v.analysis?.justification, v.analysis?.detail].filter(Boolean).join(': ') ||
        `${v.analysis?.state} (CycloneDX VEX)`,
    }));
}

export async function readVex(path: string): Promise<Statement[]> {
  const bytes = await readFile(path).catch(() => {
    throw new BulwarkError('NOT_FOUND', path, 'no such VEX file');
  });
  const raw = parseJson(bytes, z.looseObject({}), path);
  if ('statements' in raw) return openVexStatements(parseJson(bytes, OpenVex, path));
  if ('vulnerabilities' in raw) return cycloneDxStatements(parseJson(bytes, CycloneDxVex, path));
  throw new BulwarkError('UNKNOWN_FORMAT', path, 'neither OpenVEX (statements) nor CycloneDX VEX (vulnerabilities)');
}

const bare = (purl: string): string => purl.split(/[?#]/)[0]!;

function covers(products: string[], purl: string): boolean {
  if (products.length === 0) return true;
  const mine = bare(purl);
  // a product purl without a version covers every version of the package
  return products.some((p) => bare(p) === mine || (!bare(p).includes('@') && mine.startsWith(`${bare(p)}@`)));
}

export function applyVex(findings: Finding[], statements: Statement[]): void {
  for (const f of findings) {
    const s = statements.find(
      (st) =>
        (st.vulnerability === f.id || f.aliases.includes(st.vulnerability)) && covers(st.products, f.package.purl),
    );
    if (s) {
      f.status = 'not_affected';
      f.statusReason = s.reason;
    }
  }
}
