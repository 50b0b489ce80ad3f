import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import semver from 'semver';
import type { Finding, Package } from '../../core/types.js';
import { matchInventory } from '../../match/matcher.js';
import type { OsvRecord } from '../../vulndb/osv.js';
import type { VulnStore } from '../../vulndb/store.js';
import { packageKey, storedFinding, type FindingsDiff } from './diff.js';
import { rematchAll, type ImageRematch } from './rematch.js';
import { buildDb, realFeeds, realInventory } from './fixtures/feeds.js';

// The diff on real data: the real Go and PyPI feeds, the scanner's inventory of real Go
// binaries and Python packages, and two DBs that differ by a documented transformation of
// five records (everything else identical):
//   A  absent from the old DB                          -> its findings are ADDED
//   B  old DB without its CVE alias (named by its GHSA) -> re-published under the CVE: NOTHING
//   C  absent from the new DB                          -> its findings are REMOVED
//   D  every fixed version one patch higher in the new  -> CHANGED fixedVersions (and ADDED
//                                                          where an installed version equals an old fix)
//   E  a CVSS 3.1 vector added in the new DB           -> CHANGED severity and CVSS
// The oracle is independent of the matcher: which installed packages each record affects is
// read from the record's SEMVER ranges with the semver library.

const inv = realInventory();
const VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
let feeds: Map<string, OsvRecord[]>;
let oldDb: VulnStore;
let newDb: VulnStore;
let picked: Record<'A' | 'B' | 'C' | 'D' | 'E', OsvRecord>;
let edits: Map<string, { old?: OsvRecord; new?: OsvRecord }>;
let result: ImageRematch;
let oldFindings: Finding[];

const ids = (r: OsvRecord): string[] => [r.id, ...(r.aliases ?? []), ...(r.upstream ?? [])];
const goVersion = (v: string): string | null => semver.valid(v.replace(/^v/, '').replace(/^go/, ''));

/** Installed packages a record affects, read from its SEMVER ranges (introduced ≤ v < fixed). */
function oracle(r: OsvRecord | undefined): Set<string> {
  const out = new Set<string>();
  for (const p of r ? inv.packages : [])
    for (const a of r!.affected ?? []) {
      if (a.package?.ecosystem !== 'Go' || a.package.name !== p.name || p.ecosystem !== 'golang') continue;
      const v = goVersion(p.version);
      if (v && inRanges(v, a.ranges ?? [])) out.add(packageKey({ package: p }));
    }
  return out;
}

function inRanges(v: string, ranges: NonNullable<OsvRecord['affected']>[number]['ranges']): boolean {
  for (const range of ranges ?? []) {
    let lo: string | undefined;
    for (const e of range.events) {
      if ('introduced' in e) lo = e.introduced === '0' ? '0.0.0-0' : e.introduced;
      else if ('fixed' in e && lo !== undefined) {
        if (semver.gte(v, lo) && semver.lt(v, e.fixed!)) return true;
        lo = undefined;
      }
    }
    if (lo !== undefined && semver.gte(v, lo)) return true;
  }
  return false;
}

/** Go records that share no id with any other record, with SEMVER ranges only, affecting the inventory. */
function candidates(): OsvRecord[] {
  const all = [...feeds.values()].flat();
  const owners = new Map<string, number>();
  for (const r of all) for (const i of new Set(ids(r))) owners.set(i, (owners.get(i) ?? 0) + 1);
  return feeds
    .get('osv:Go')!
    .filter((r) => !r.withdrawn && ids(r).every((i) => owners.get(i) === 1))
    .filter((r) => (r.affected ?? []).every((a) => (a.ranges ?? []).every((x) => x.type === 'SEMVER')))
    .filter((r) => oracle(r).size > 0 && !r.severity?.length)
    .sort((a, b) => a.id.localeCompare(b.id));
}

const bump = (r: OsvRecord): OsvRecord => ({
  ...r,
  affected: (r.affected ?? []).map((a) => ({
    ...a,
    ranges: (a.ranges ?? []).map((x) => ({
      ...x,
      events: x.events.map((e) => ('fixed' in e ? { fixed: semver.inc(e.fixed!, 'patch')! } : e)),
    })),
  })),
});

before(() => {
  feeds = realFeeds();
  const c = candidates();
  const withGhsa = c.filter(
    (r) => r.aliases?.some((x) => x.startsWith('CVE-')) && r.aliases.some((x) => x.startsWith('GHSA-')),
  );
  const B = withGhsa[0]!;
  const rest = c.filter(
    (r) => r !== B && (r.affected ?? []).some((a) => a.ranges?.some((x) => x.events.some((e) => 'fixed' in e))),
  );
  const [A, C, D, E] = [rest[0]!, rest[1]!, rest[2]!, rest[3]!];
  picked = { A, B, C, D, E };
  edits = new Map([
    [A.id, { new: A }],
    [B.id, { old: { ...B, aliases: B.aliases!.filter((x) => !x.startsWith('CVE-')) }, new: B }],
    [C.id, { old: C }],
    [D.id, { old: D, new: bump(D) }],
    [E.id, { old: E, new: { ...E, severity: [{ type: 'CVSS_V3', score: VECTOR }] } }],
  ]);
  oldDb = buildDb(feeds, (r) => (edits.has(r.id) ? edits.get(r.id)!.old : r));
  newDb = buildDb(feeds, (r) => (edits.has(r.id) ? edits.get(r.id)!.new : r));
});
after(() => {
  oldDb?.close();
  newDb?.close();
});

test('re-matching a real inventory against the updated DB: exactly the transformed records differ', async (t) => {
  oldFindings = matchInventory(inv, oldDb).findings;
  const previous = new Map([['sha256:real', oldFindings.map(storedFinding)]]);
  const out: ImageRematch[] = [];
  for await (const r of rematchAll([{ digest: 'sha256:real', inventory: inv }], newDb, (d) =>
    Promise.resolve(previous.get(d) ?? []),
  ))
    out.push(r);
  assert.equal(out.length, 1);
  result = out[0]!;

  const expected = { added: new Set<string>(), removed: new Set<string>(), changed: new Set<string>() };
  for (const [id, e] of edits) {
    const [was, now] = [oracle(e.old), oracle(e.new)];
    for (const k of now) if (!was.has(k)) expected.added.add(`${id} ${k}`);
    for (const k of was) if (!now.has(k)) expected.removed.add(`${id} ${k}`);
    if (id === picked.D.id || id === picked.E.id)
      for (const k of now) if (was.has(k)) expected.changed.add(`${id} ${k}`);
  }
  const edited = (f: { id: string; aliases: readonly string[] }): string => {
    const hit = [...edits.keys()].filter((id) => [f.id, ...f.aliases].includes(id));
    assert.equal(hit.length, 1, `${f.id} is not one of the edited records`);
    return hit[0]!;
  };
  const keys = (d: FindingsDiff): Record<keyof typeof expected, Set<string>> => ({
    added: new Set(d.added.map((f) => `${edited(f)} ${packageKey(f)}`)),
    removed: new Set(d.removed.map((f) => `${edited(f)} ${packageKey(f)}`)),
    changed: new Set(d.changed.map((c) => `${edited(c.after)} ${packageKey(c.after)}`)),
  });
  assert.deepEqual(keys(result), expected);
  t.diagnostic(
    `${Object.entries(picked)
      .map(([k, r]) => `${k}=${r.id}`)
      .join(
        ' ',
      )}: ${result.added.length} added, ${result.removed.length} removed, ${result.changed.length} changed of ${result.findings.length}`,
  );
  // each transformation did something: the test is not vacuous
  for (const k of ['added', 'removed', 'changed'] as const) assert.ok(expected[k].size > 0, k);
  assert.equal(
    result.added.length + result.removed.length + result.changed.length,
    [...Object.values(expected)].reduce((n, s) => n + s.size, 0),
  );
});

test('what changed is named: the bumped fix and the new CVSS, nothing else', () => {
  for (const c of result.changed) {
    if ([c.after.id, ...c.after.aliases].includes(picked.D.id)) {
      assert.deepEqual(c.fields, ['fixedVersions']);
      assert.ok(c.after.fixedVersions.every((v) => !c.before.fixedVersions.includes(v)));
    } else {
      assert.deepEqual(c.fields, ['severity', 'cvss']);
      assert.equal(c.after.severity, 'CRITICAL');
      assert.equal(c.after.cvss?.score, 9.8);
      assert.equal(c.before.severity, 'UNKNOWN');
    }
  }
});

test('a GHSA re-published under its CVE is not new: the naive set difference would say it is', () => {
  const B = picked.B;
  const cve = B.aliases!.find((x) => x.startsWith('CVE-'))!;
  const before = oldFindings.filter((f) => [f.id, ...f.aliases].includes(B.id));
  const now = result.findings.filter((f) => [f.id, ...f.aliases].includes(B.id));
  assert.ok(before.length > 0 && before.length === now.length);
  assert.ok(before.every((f) => f.id.startsWith('GHSA-')));
  assert.ok(now.every((f) => f.id === cve));
  const naive = (fs: Finding[]): Set<string> => new Set(fs.map((f) => `${f.id} ${packageKey(f)}`));
  const was = naive(oldFindings);
  assert.ok(
    now.every((f) => !was.has(`${f.id} ${packageKey(f)}`)),
    'by name alone B would be new',
  );
  const mentioned = [...result.added, ...result.removed, ...result.changed.map((c) => c.after)];
  assert.ok(!mentioned.some((f) => [f.id, ...f.aliases].includes(B.id)));
});

test('the stored findings after the re-match are the new DB full match', () => {
  assert.deepEqual(result.findings, matchInventory(inv, newDb).findings);
  const pkgs: Package[] = inv.packages;
  assert.ok(pkgs.length > 700);
});
