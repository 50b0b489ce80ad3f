import { createHash } from 'node:crypto';
import { CHECKS } from '../checks/catalog.js';
import type { CheckInfo, CheckResult } from '../checks/check.js';
import type { Finding, Severity } from '../core/types.js';
import { TOOL_INFORMATION_URI, TOOL_NAME, TOOL_VERSION } from '../core/tool.js';
import { mdLink, mdText } from './markdown.js';
import type { ScanReport } from './report.js';
import { SEVERITIES_DESC, fixedIn, groupByTarget, linkOf, oneLine, safeUrl, wellFormed } from './vulns.js';

// SARIF 2.1.0 for code-scanning services: one rule per vulnerability id, one result per shown
// finding. Services want relative artifact URIs, a level that matches the rule, a numeric
// "security-severity" string, and fingerprints that stay put between runs.

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The image's root: artifact URIs are the package files' paths below it. */
export const ROOT_BASE_ID = 'ROOTPATH';
export const FINGERPRINT_KEY = 'bulwarkFinding/v1';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVELS: Record<Severity, SarifLevel> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
  UNKNOWN: 'note',
};
/** The usual score for a severity when no CVSS score is known (no score for UNKNOWN). */
const SEVERITY_SCORES: Record<Severity, string | undefined> = {
  CRITICAL: '9.5',
  HIGH: '8.0',
  MEDIUM: '5.5',
  LOW: '2.0',
  UNKNOWN: undefined,
};

interface Text {
  text: string;
  markdown?: string;
}
interface SarifRule {
  id: string;
  shortDescription: Text;
  fullDescription: Text;
  defaultConfiguration: { level: SarifLevel };
  helpUri: string;
  help: Text;
  properties: { 'security-severity'?: string; tags: string[]; precision: string };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } };
    logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[];
  }[];
  partialFingerprints: Record<string, string>;
}
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: SarifResult[];
    properties: Record<string, unknown>;
  }[];
}

const rankOf = (s: Severity): number => SEVERITIES_DESC.indexOf(s);
const worst = (fs: Finding[]): Severity =>
  fs.map((f) => f.severity).sort((a, b) => rankOf(a) - rankOf(b))[0] ?? 'UNKNOWN';

/** A package file's path as a relative URI reference: no leading slash, each segment percent-encoded. */
export function relativeUri(path: string): string {
  return wellFormed(path).replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/') || '.';
}

function fingerprint(f: Finding): string {
  const p = f.package;
  return createHash('sha256').update([f.id, p.ecosystem, p.name, p.version, p.path].join('\0')).digest('hex');
}

function securitySeverity(fs: Finding[]): string | undefined {
  const scores = fs.map((f) => f.cvss?.score).filter((s): s is number => typeof s === 'number' && s > 0 && s <= 10);
  return scores.length ? Math.max(...scores).toFixed(1) : SEVERITY_SCORES[worst(fs)];
}

function message(f: Finding): string {
  const fix = fixedIn(f);
  return `Package ${f.package.name} version ${f.package.version} is vulnerable to ${f.id} (${fix ? `fixed in ${fix}` : 'no fix available'})`;
}

function rule(id: string, fs: Finding[]): SarifRule {
  const severity = worst(fs);
  const title = fs.map((f) => f.title).find((t) => t && oneLine(t)) ?? '';
  const first = fs[0]!;
  const aliases = [...new Set(fs.flatMap((f) => f.aliases))];
  const related = [...new Set(fs.flatMap((f) => f.related))];
  const refs = [...new Set(fs.flatMap((f) => f.references))]
    .map(safeUrl)
    .filter((u): u is string => !!u)
    .slice(0, 5);
  const score = securitySeverity(fs);
  const cvss = fs.find((f) => f.cvss)?.cvss;
  const text = [
    `Vulnerability ${id}${title ? `: ${oneLine(title)}` : ''}`,
    `Severity: ${severity}${cvss ? ` (CVSS ${cvss.version} ${cvss.score.toFixed(1)}, ${cvss.vector})` : ''}`,
    ...fs.map(
      (f) =>
        `Package: ${f.package.name} ${f.package.version}, fixed in: ${fixedIn(f) || 'no fix available'}, at: ${f.package.path}`,
    ),
    ...(aliases.length ? [`Aliases: ${aliases.join(', ')}`] : []),
    ...(related.length ? [`Related: ${related.join(', ')}`] : []),
    ...(refs.length ? [`References: ${refs.join(' ')}`] : []),
  ].join('\n');
  const table = [
    '| Severity | Package | Installed | Fixed in | Path |',
    '| --- | --- | --- | --- | --- |',
    ...fs.map(
      (f) =>
        `| ${[f.severity, mdText(f.package.name), mdText(f.package.version), mdText(fixedIn(f) || '—'), mdText(f.package.path)].join(' | ')} |`,
    ),
  ].join('\n');
  const markdown = [
    `**Vulnerability ${mdLink(id, linkOf(first))}**${title ? `: ${mdText(title)}` : ''}`,
    table,
    ...(aliases.length ? [`Aliases: ${aliases.map(mdText).join(', ')}`] : []),
    ...(related.length ? [`Related: ${related.map(mdText).join(', ')}`] : []),
    ...(refs.length ? [`References:\n${refs.map((u) => `- ${mdLink(u, u)}`).join('\n')}`] : []),
  ].join('\n\n');
  return {
    id,
    shortDescription: { text: oneLine(title) || id },
    fullDescription: {
      text: title ? `${id}: ${oneLine(title)}` : `${id} in ${[...new Set(fs.map((f) => f.package.name))].join(', ')}`,
    },
    defaultConfiguration: { level: LEVELS[severity] },
    helpUri: linkOf(first),
    help: { text, markdown },
    properties: {
      ...(score ? { 'security-severity': score } : {}),
      tags: ['vulnerability', 'security', severity],
      precision: 'very-high',
    },
  };
}

/** A failed check as SARIF: one rule per check id (from the catalog), the file and line where found. */
function checkRule(info: CheckInfo): SarifRule {
  const text = `${info.title}\n${info.description}\nRemediation: ${info.remediation}\nSTRIDE: ${info.stride}; MITRE ATT&CK: ${info.attack}`;
  return {
    id: info.id,
    shortDescription: { text: info.title },
    fullDescription: { text: info.description },
    defaultConfiguration: { level: LEVELS[info.severity] },
    helpUri: `https://attack.mitre.org/techniques/${info.attack.replace('.', '/')}/`,
    help: {
      text,
      markdown: `**${mdText(info.title)}**\n\n${mdText(info.description)}\n\n**Remediation:** ${mdText(info.remediation)}\n\nSTRIDE: ${info.stride} · MITRE ATT&CK: ${mdText(info.attack)}`,
    },
    properties: {
      ...(SEVERITY_SCORES[info.severity] ? { 'security-severity': SEVERITY_SCORES[info.severity]! } : {}),
      tags: ['security', info.targets.includes('secret') ? 'secret' : 'misconfiguration', info.stride, info.attack],
      precision: 'high',
    },
  };
}

function checkFingerprint(c: CheckResult): string {
  return createHash('sha256')
    .update(
      [c.checkId, c.location.path, c.location.field ?? '', c.location.line ?? '', c.location.layer?.diffId ?? ''].join(
        '\0',
      ),
    )
    .digest('hex');
}

function checksSarif(checks: readonly CheckResult[], offset: number): { rules: SarifRule[]; results: SarifResult[] } {
  const ids = [...new Set(checks.map((c) => c.checkId))].filter((id) => CHECKS.some((c) => c.id === id));
  const rules = ids.map((id) => checkRule(CHECKS.find((c) => c.id === id)!));
  const results = checks
    .filter((c) => ids.includes(c.checkId))
    .map((c): SarifResult => ({
      ruleId: c.checkId,
      ruleIndex: offset + ids.indexOf(c.checkId),
      level: LEVELS[c.severity],
      message: { text: `${c.message}${c.evidence ? ` (${c.evidence})` : ''}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: {
              uri: c.location.path.startsWith('/')
                ? relativeUri(c.location.path)
                : relativeUri(c.location.path.replace(/\s+/g, '-')),
              uriBaseId: ROOT_BASE_ID,
            },
            region: { startLine: c.location.line ?? 1 },
          },
          logicalLocations: [
            {
              name: c.location.field ?? c.location.path,
              fullyQualifiedName: `${c.location.path}${c.location.field ? `#${c.location.field}` : ''}`,
              kind: 'resource',
            },
          ],
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: checkFingerprint(c) },
    }));
  return { rules, results };
}

export function toSarif(r: ScanReport): SarifLog {
  const shown = groupByTarget(r.vulnerabilities?.shown ?? [], r.inventory).flatMap((g) => g.findings);
  const byId = new Map<string, Finding[]>();
  for (const f of shown) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  const ids = [...byId.keys()];
  const rules = ids.map((id) => rule(id, byId.get(id)!));
  const results: SarifResult[] = shown.map((f) => ({
    ruleId: f.id,
    ruleIndex: ids.indexOf(f.id),
    level: LEVELS[f.severity],
    message: { text: message(f) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: relativeUri(f.package.path), uriBaseId: ROOT_BASE_ID },
          region: { startLine: 1 },
        },
        logicalLocations: [
          {
            name: f.package.name,
            fullyQualifiedName: f.package.purl || `${f.package.ecosystem}/${f.package.name}@${f.package.version}`,
            kind: 'package',
          },
        ],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f) },
  }));
  const checks = checksSarif(r.checks ?? [], rules.length);
  rules.push(...checks.rules);
  results.push(...checks.results);
  const a = r.inventory.artifact;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: TOOL_VERSION, informationUri: TOOL_INFORMATION_URI, rules } },
        originalUriBaseIds: { [ROOT_BASE_ID]: { uri: 'file:///' } },
        results,
        properties: {
          imageName: a.name,
          ...(a.imageId ? { imageId: a.imageId } : {}),
          ...(a.digest ? { digest: a.digest } : {}),
          repoTags: a.repoTags,
          repoDigests: a.repoDigests,
        },
      },
    ],
  };
}

export function renderSarif(r: ScanReport): string {
  return `${JSON.stringify(toSarif(r), null, 2)}\n`;
}
