import { OS_ECOSYSTEMS, type Inventory, type Package } from '../core/types.js';

// A readable summary for people: what the image is, its layers, then its packages.

function shortDigest(d: string): string {
  return d ? d.replace(/^sha256:/, '').slice(0, 12) : '-';
}

function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function renderTable(inv: Inventory): string {
  const a = inv.artifact;
  const os = inv.os ? `${inv.os.prettyName ?? `${inv.os.family} ${inv.os.version}`}${inv.os.distroless ? ' (distroless)' : ''}` : 'unknown';
  const head = [
    `${a.name} (${a.type})`,
    ...(a.imageId ? [`  image id:  ${a.imageId}`] : []),
    ...(a.digest ? [`  digest:    ${a.digest}`] : []),
    ...(a.repoTags.length ? [`  tags:      ${a.repoTags.join(', ')}`] : []),
    ...(a.architecture ? [`  platform:  ${a.os ?? 'linux'}/${a.architecture}${a.variant ? `/${a.variant}` : ''}`] : []),
    `  os:        ${os}`,
    `  packages:  ${inv.packages.length}`,
  ];
  const out = [head.join('\n')];
  if (inv.layers.length) {
    const rows = [['LAYER', 'DIFF ID', 'CREATED BY']];
    for (const l of inv.layers) rows.push([String(l.index), shortDigest(l.diffId), (l.createdBy ?? '').replace(/\s+/g, ' ').slice(0, 80)]);
    out.push(columns(rows));
  }
  const osPkgs = inv.packages.filter((p) => OS_ECOSYSTEMS.includes(p.ecosystem));
  const langPkgs = inv.packages.filter((p) => !OS_ECOSYSTEMS.includes(p.ecosystem));
  const layerOf = (p: Package): string => (inv.layers.length ? String(p.layer.index) : '-');
  if (osPkgs.length) {
    const rows = [['TYPE', 'NAME', 'VERSION', 'SOURCE', 'ARCH', 'LAYER']];
    for (const p of osPkgs) {
      const src = p.source && (p.source.name !== p.name || p.source.version !== p.version) ? `${p.source.name} ${p.source.version ?? ''}`.trim() : '';
      rows.push([p.ecosystem, p.name, p.version, src, p.arch ?? '', layerOf(p)]);
    }
    out.push(columns(rows));
  }
  if (langPkgs.length) {
    const rows = [['TYPE', 'NAME', 'VERSION', 'LAYER', 'PATH']];
    for (const p of langPkgs) rows.push([p.ecosystem, p.name, p.version, layerOf(p), `${p.path}${p.metadata?.location ? ` (${p.metadata.location})` : ''}${p.ownedBy ? ` [from ${p.ownedBy.ecosystem} ${p.ownedBy.name}]` : ''}`]);
    out.push(columns(rows));
  }
  if (inv.issues.length) {
    out.push(['Problems (packages in these files may be missing):', ...inv.issues.map((i) => `  ${i.path}: ${i.message} [${i.analyzer}]`)].join('\n'));
  }
  return `${out.join('\n\n')}\n`;
}
