import { parse as pep440Parse } from '@renovatebot/pep440';
import { defineScheme, Invalid } from '../../versions/scheme.js';

// PEP 440: @renovatebot/pep440 parses and normalises (1.0-RC1 = 1.0rc1, 1.0-1 = 1.0.post1);
// the order below is the specification's: epoch, release (trailing zeros insignificant), then
// dev-only releases < pre-releases < the release < post-releases, dev before its base, and a
// local label after the public version it extends.

interface Pep440 {
  epoch: number;
  release: number[];
  pre: number; // rank: -2 dev-only, 0..2 a/b/rc, 3 none
  preN: number;
  post: number; // -1 none
  dev: number; // Infinity none
  local: (string | number)[] | null;
}

const PRE_RANK = new Map([
  ['a', 0],
  ['b', 1],
  ['rc', 2],
]);

function parse(v: string): Pep440 | Invalid {
  const p = pep440Parse(v.trim());
  if (!p) return new Invalid('not a PEP 440 version');
  // the library's types describe these as arrays of [label, number]
  const pre = p.pre as [string, number] | null;
  const post = p.post as [string, number] | null;
  const dev = p.dev as [string, number] | null;
  const release = [...p.release];
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  return {
    epoch: p.epoch,
    release,
    pre: pre ? (PRE_RANK.get(pre[0]) ?? 2) : !post && dev ? -2 : 3,
    preN: pre ? pre[1] : 0,
    post: post ? post[1] : -1,
    dev: dev ? dev[1] : Infinity,
    local: (p.local as unknown as (string | number)[] | null) ?? null,
  };
}

function cmpLocal(a: (string | number)[] | null, b: (string | number)[] | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x !== typeof y) return typeof x === 'number' ? 1 : -1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function cmp(a: Pep440, b: Pep440): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d !== 0) return d;
  }
  if (a.pre !== b.pre) return a.pre - b.pre;
  if (a.preN !== b.preN) return a.preN - b.preN;
  if (a.post !== b.post) return a.post - b.post;
  if (a.dev !== b.dev) return a.dev < b.dev ? -1 : 1;
  return cmpLocal(a.local, b.local);
}

export const pep440Scheme = defineScheme<Pep440>('pep440', parse, cmp);
