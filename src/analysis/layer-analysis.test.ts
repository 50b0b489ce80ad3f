import { test } from 'node:test';
import assert from 'node:assert/strict';
import { introducedIn } from './analyzer.js';
import { mergeLayers, viewFor, type LayerAnalysis } from './layer-analysis.js';

const layer = (
  i: number,
  files: Record<string, string>,
  whiteouts: string[] = [],
  opaqueDirs: string[] = [],
): { ref: { index: number; diffId: string }; analysis: LayerAnalysis } => ({
  ref: { index: i, diffId: `d${i}` },
  analysis: {
    diffId: `d${i}`,
    whiteouts,
    opaqueDirs,
    files: { a: Object.fromEntries(Object.entries(files).map(([p, v]) => [p, { data: v }])) },
  },
});

test('whiteouts delete a file or a whole directory; opaque dirs hide only lower layers', () => {
  const merged = mergeLayers([
    layer(0, { 'etc/x': '1', 'var/lib/db/a': '1', 'var/lib/db/b': '1', 'opt/p/q': '1', 'opt/pq': '1' }),
    layer(1, { 'opt/p/new': '2' }, ['etc/x', 'var/lib/db'], ['opt/p']),
  ]);
  const v = viewFor<string>(merged, 'a');
  assert.deepEqual(v.paths(), ['opt/p/new', 'opt/pq']);
});

test('a file rewritten continues its history; a deleted and re-added one starts again', () => {
  const merged = mergeLayers([
    layer(0, { f: 'v1' }),
    layer(1, { f: 'v2' }),
    layer(2, {}, ['f']),
    layer(3, { f: 'v3' }),
    layer(4, { f: 'v4' }),
  ]);
  const v = viewFor<string>(merged, 'a');
  assert.deepEqual(
    v.history('f').map((h) => [h.layer.index, h.data]),
    [
      [3, 'v3'],
      [4, 'v4'],
    ],
  );
});

test('introducedIn walks back while the record is unchanged', () => {
  const h: { layer: { index: number; diffId: string }; data: Record<string, string> }[] = [
    { layer: { index: 0, diffId: 'd0' }, data: { a: '1', b: '1' } },
    { layer: { index: 1, diffId: 'd1' }, data: { a: '1', b: '2' } },
    { layer: { index: 2, diffId: 'd2' }, data: { a: '1', b: '2', c: '1' } },
  ];
  const at = (k: 'a' | 'b' | 'c'): number | undefined =>
    introducedIn(
      h,
      (d: Record<string, string>) => d[k],
      (x, y) => x === y,
    )?.index;
  assert.deepEqual([at('a'), at('b'), at('c')], [0, 1, 2]);
});
