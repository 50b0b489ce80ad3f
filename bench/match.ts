// Matching at scale: the real PyPI, Go and AlmaLinux records replicated under new package
// names until the store holds ≥ 500,000 affected entries, then 10,000 installed packages
// matched against it. Usage: node --import tsx bench/match.ts [affected-target]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Inventory, Package } from '../src/core/types.js';
import { byteBudget, listEntries, readEntry } from '../src/core/zip.js';
import { matchInventory } from '../src/match/matcher.js';
import { parseOsvRecord, type OsvRecord } from '../src/vulndb/osv.js';
import { VulnStore } from '../src/vulndb/store.js';
import { readFileSync } from 'node:fs';

const target = Number(process.argv[2] ?? 500_000);
const data = join(import.meta.dirname, '..', '..', 'shared', 'data', 'osv');
const base: OsvRecord[] = [];
for (const eco of ['PyPI', 'Go', 'AlmaLinux']) {
  const zip = readFileSync(join(data, eco, 'all.zip'));
  const budget = byteBudget(2 ** 31);
  for (const e of listEntries(zip, eco, (n) => n.endsWith('.json')))
    base.push(parseOsvRecord(readEntry(zip, e, eco, 1 << 24, budget), e.name));
}
const perRound = base.reduce((n, r) => n + (r.affected?.length ?? 0), 0);
const rounds = Math.ceil(target / perRound);
const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-'));
const store = VulnStore.open(join(dir, 'db'));
let t = performance.now();
let affected = 0;
store.replaceFeed({ name: 'bench', source: 'synthetic', etag: null, lastModified: null, sha256: '' }, (put) => {
  for (let i = 0; i < rounds; i++) {
    for (const r of base) {
      const copy = {
        ...r,
        id: i === 0 ? r.id : `${r.id}-x${i}`,
        aliases: i === 0 ? r.aliases : [],
        affected: (r.affected ?? []).map((a) => ({
          ...a,
          package: a.package && { ...a.package, name: i === 0 ? a.package.name : `${a.package.name}-x${i}` },
        })),
      };
      affected += copy.affected.length;
      put(copy);
    }
  }
});
const importS = (performance.now() - t) / 1000;

// 10,000 installed packages. Worst case: every one names packages with advisories, at a version
// below every fix. Typical image: one in ten has advisories at all, the rest are unknown names.
function packagesFor(share: number): Package[] {
  const names = [
    ...new Set(
      base.flatMap((r) =>
        (r.affected ?? [])
          .filter((a) => a.package?.ecosystem === 'PyPI' || a.package?.ecosystem === 'Go')
          .map((a) => `${a.package!.ecosystem}\t${a.package!.name}`),
      ),
    ),
  ];
  const out: Package[] = [];
  for (let i = 0; out.length < 10_000; i++) {
    const [eco, name] = names[i % names.length]!.split('\t') as [string, string];
    const round = Math.floor(i / names.length);
    const known = i % Math.round(1 / share) === 0;
    const n = known ? (round === 0 ? name : `${name}-x${round}`) : `unlisted-${i}`;
    out.push({
      ecosystem: eco === 'PyPI' ? 'pypi' : 'golang',
      name: n,
      version: eco === 'PyPI' ? '0.1' : 'v0.0.1',
      purl: '',
      licenses: [],
      layer: { index: 0, diffId: '' },
      path: `/app/${i}`,
      files: [],
    });
  }
  return out;
}
const ro = VulnStore.open(join(dir, 'db'), { readonly: true });
console.log(
  `| affected entries | records | import (s) | import (affected/s) | packages | with advisories | findings | match (s) |`,
);
console.log(`| --- | --- | --- | --- | --- | --- | --- | --- |`);
for (const share of [1, 0.1]) {
  const packages = packagesFor(share);
  const inv: Inventory = {
    schemaVersion: 1,
    artifact: { name: 'bench', type: 'fs', repoTags: [], repoDigests: [] },
    os: null,
    layers: [],
    packages,
    issues: [],
  };
  matchInventory({ ...inv, packages: packages.slice(0, 100) }, ro); // warm the statement cache
  t = performance.now();
  const { findings } = matchInventory(inv, ro);
  const matchS = (performance.now() - t) / 1000;
  console.log(
    `| ${affected} | ${rounds * base.length} | ${importS.toFixed(2)} | ${Math.round(affected / importS)} | ${packages.length} | ${share * 100}% | ${findings.length} | ${matchS.toFixed(3)} |`,
  );
}
ro.close();
store.close();
rmSync(dir, { recursive: true, force: true });
