import { existsSync } from 'node:fs';
import type { Inventory, ScanIssue, Severity } from '../core/types.js';
import { reportable } from '../match/gate.js';
import { applyIgnores, readIgnoreFile } from '../match/ignore.js';
import { matchInventory } from '../match/matcher.js';
import { applyVex, readVex } from '../match/vex.js';
import type { VulnerabilityResults } from '../report/report.js';
import { VulnStore } from '../vulndb/store.js';

// The vulnerability stage of the pipeline: match against the local DB, apply VEX and the
// ignore file, filter for the gate. Lives here, not in match/, because its result is the
// report's shape (match/ stays below report/).

export interface VulnOptions {
  dbPath: string;
  severities: readonly Severity[];
  ignoreUnfixed: boolean;
  /** The severity unrated findings count as for `severities`; default UNKNOWN. */
  unknownAs?: Severity;
  ignoreFile?: string;
  vexFiles: string[];
  now?: Date;
}

export async function scanVulnerabilities(
  inv: Inventory,
  o: VulnOptions,
): Promise<{ results: VulnerabilityResults; issues: ScanIssue[] }> {
  const ignores = o.ignoreFile ? await readIgnoreFile(o.ignoreFile) : [];
  const vex = (await Promise.all(o.vexFiles.map(readVex))).flat();
  const store = VulnStore.open(o.dbPath, { readonly: true });
  try {
    const { findings, issues } = matchInventory(inv, store);
    applyVex(findings, vex);
    const expired = applyIgnores(findings, ignores, o.now ?? new Date());
    const shown = reportable(findings, {
      severities: o.severities,
      ignoreUnfixed: o.ignoreUnfixed,
      ...(o.unknownAs ? { unknownAs: o.unknownAs } : {}),
    });
    const feeds = store.feeds().map((f) => ({ name: f.name, records: f.records, updatedAt: f.importedAt }));
    return {
      results: {
        findings,
        shown,
        expiredIgnores: expired.map((e) => ({
          id: e.id,
          reason: e.reason,
          ...(e.package ? { package: e.package } : {}),
          ...(e.expires !== undefined
            ? { expires: e.expires instanceof Date ? e.expires.toISOString().slice(0, 10) : e.expires }
            : {}),
        })),
        db: { feeds },
      },
      issues,
    };
  } finally {
    store.close();
  }
}

export function dbExists(path: string): boolean {
  return existsSync(path);
}
