import { OS_ECOSYSTEMS, type Finding, type Inventory, type Package } from '../core/types.js';
import type { ScanReport, VulnerabilityResults } from './report.js';
import { checkRows, checksSummary } from './checks.js';
import { escapeControls } from './control.js';
import { countBySeverity, countsText, fixedIn, groupByTarget, isSuppressed, oneLine, truncate } from './vulns.js';

// A readable summary for people: what the image is, its vulnerabilities when scanned,
// then (when asked, or when nothing was scanned) its layers and packages.

const TITLE_WIDTH = 60;

function shortDigest(d: string): string {
  return d ? d.replace(/^sha256:/, '').slice(0, 12) : '-';
}

export function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function renderTable(r: ScanReport): string {
  const inv = r.inventory;
  const out = [header(inv)];
  if (r.vulnerabilities) out.push(...vulnerabilitySections(r.vulnerabilities, inv));
  if (r.checks)
    out.push(
      r.checks.length
        ? [
            `Checks: ${checksSummary(r.checks)}`,
            columns([['CHECK', 'SEVERITY', 'TITLE', 'WHERE', 'DETAIL'], ...checkRows(r.checks)]),
          ].join('\n')
        : 'Checks: none failed.',
    );
  if (r.listAllPackages || !r.vulnerabilities) out.push(...packageSections(inv));
  if (inv.issues.length) {
    out.push(
      [
        'Problems (packages in these files may be missing):',
        ...inv.issues.map((i) => `  ${i.path}: ${i.message} [${i.analyzer}]`),
      ].join('\n'),
    );
  }
  return escapeControls(`${out.join('\n\n')}\n`);
}

function header(inv: Inventory): string {
  const a = inv.artifact;
  const os = inv.os
    ? `${inv.os.prettyName ?? `${inv.os.family} ${inv.os.version}`}${inv.os.distroless ? ' (distroless)' : ''}`
    : 'unknown';
  return [
    `${a.name} (${a.type})`,
    ...(a.imageId ? [`  image id:  ${a.imageId}`] : []),
    ...(a.digest ? [`  digest:    ${a.digest}`] : []),
    ...(a.repoTags.length ? [`  tags:      ${a.repoTags.join(', ')}`] : []),
    ...(a.architecture ? [`  platform:  ${a.os ?? 'linux'}/${a.architecture}${a.variant ? `/${a.variant}` : ''}`] : []),
    `  os:        ${os}`,
    `  packages:  ${inv.packages.length}`,
  ].join('\n');
}

function vulnerabilitySections(v: VulnerabilityResults, inv: Inventory): string[] {
  const out: string[] = [];
  for (const g of groupByTarget(v.shown, inv)) {
    const n = g.findings.length;
    const rows = [['PACKAGE', 'INSTALLED', 'FIXED IN', 'ID', 'SEVERITY', 'TITLE']];
    for (const f of g.findings)
      rows.push([
        f.package.name,
        f.package.version,
        fixedIn(f) || '-',
        f.id,
        f.severity,
        f.title ? truncate(f.title, TITLE_WIDTH) : '',
      ]);
    out.push(
      [
        g.label,
        `${n} ${n === 1 ? 'vulnerability' : 'vulnerabilities'} (${countsText(countBySeverity(g.findings))})`,
        columns(rows),
      ].join('\n'),
    );
  }
  const total = `Total: ${v.shown.length} (${countsText(countBySeverity(v.shown))})`;
  out.push(v.shown.length ? total : `No vulnerabilities found. ${total}`);

  const suppressed = v.findings.filter(isSuppressed);
  if (suppressed.length) {
    out.push(
      [`Suppressed (${suppressed.length}, not counted):`, ...suppressed.map((f) => `  ${suppressedLine(f)}`)].join(
        '\n',
      ),
    );
  }
  if (v.expiredIgnores.length) {
    const lines = v.expiredIgnores.map((e) => {
      const what = `${e.id}${e.package ? ` (${e.package})` : ''}`;
      const when = e.expires ? `expired on ${e.expires}` : 'expired';
      return `  ${what}: ${when}: no longer applied (${oneLine(e.reason)})`;
    });
    out.push(['Expired ignore entries:', ...lines].join('\n'));
  }
  return out;
}

function suppressedLine(f: Finding): string {
  const how = f.status === 'ignored' ? 'ignored' : 'not affected';
  return `${f.id} in ${f.package.name} ${f.package.version}: ${how}${f.statusReason ? ` (${oneLine(f.statusReason)})` : ''}`;
}

/** Where a language package was read, what owns it, and whether it is the application itself. */
function pathCell(p: Package): string {
  const location = p.metadata?.location ? ` (${p.metadata.location})` : '';
  const owner = p.ownedBy ? ` [from ${p.ownedBy.ecosystem} ${p.ownedBy.name}]` : '';
  return `${p.path}${location}${owner}${p.role ? ` [${p.role}]` : ''}`;
}

function packageSections(inv: Inventory): string[] {
  const out: string[] = [];
  if (inv.layers.length) {
    const rows = [['LAYER', 'DIFF ID', 'CREATED BY']];
    for (const l of inv.layers)
      rows.push([String(l.index), shortDigest(l.diffId), (l.createdBy ?? '').replace(/\s+/g, ' ').slice(0, 80)]);
    out.push(columns(rows));
  }
  const osPkgs = inv.packages.filter((p) => OS_ECOSYSTEMS.includes(p.ecosystem));
  const langPkgs = inv.packages.filter((p) => !OS_ECOSYSTEMS.includes(p.ecosystem));
  const layerOf = (p: Package): string => (inv.layers.length ? String(p.layer.index) : '-');
  if (osPkgs.length) {
    const rows = [['TYPE', 'NAME', 'VERSION', 'SOURCE', 'ARCH', 'LAYER']];
    for (const p of osPkgs) {
      const src =
        p.source && (p.source.name !== p.name || p.source.version !== p.version)
          ? `${p.source.name} ${p.source.version ?? ''}`.trim()
          : '';
      rows.push([p.ecosystem, p.name, p.version, src, p.arch ?? '', layerOf(p)]);
    }
    out.push(columns(rows));
  }
  if (langPkgs.length) {
    const rows = [['TYPE', 'NAME', 'VERSION', 'LAYER', 'PATH']];
    for (const p of langPkgs) rows.push([p.ecosystem, p.name, p.version, layerOf(p), pathCell(p)]);
    out.push(columns(rows));
  }
  return out;
}
