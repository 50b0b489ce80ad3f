import type { CheckResult } from '../checks/check.js';
import type { Finding, Inventory } from '../core/types.js';

/** Everything a renderer may show: the inventory, and the vulnerability results when scanned. */
export interface ScanReport {
  inventory: Inventory;
  vulnerabilities?: VulnerabilityResults;
  /** Failed secret and misconfiguration checks, when those scanners ran. */
  checks?: CheckResult[];
  /** Table only: list every package even when vulnerabilities were scanned. */
  listAllPackages?: boolean;
}

export interface VulnerabilityResults {
  /** Every finding, with its status (fixed, unfixed, not_affected, ignored). */
  findings: Finding[];
  /** The findings that pass the user's filters (severity, ignore-unfixed) and are open: what the gate counts. */
  shown: Finding[];
  /** Ignore-file entries past their expiry: reported, no longer applied. */
  expiredIgnores: { id: string; package?: string; reason: string; expires?: string }[];
  /** The vulnerability database the findings came from. */
  db: { feeds: { name: string; records: number; updatedAt: string }[] };
}

export type Renderer = (r: ScanReport) => string;
