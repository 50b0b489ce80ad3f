import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluate } from '../policy/evaluate.js';
import type { ImageFacts } from '../policy/facts.js';
import { parsePolicy } from '../policy/load.js';
import { referenceFacts } from './reference-facts.js';

// One image, many spellings: each spelling docker (and the distribution spec) reads as the
// same image must meet allow, deny, registries, mutableTags and requireDigest exactly as the
// canonical one does. The canonical images are written by hand (the oracle); the spellings
// vary what docker ignores: host case, :443 (and :80 on loopback), Docker Hub's three
// names and its implicit library/, and an omitted docker.io.

const HEX = 'c3'.repeat(32);

interface Canonical {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const canonical: fc.Arbitrary<Canonical> = fc
  .tuple(
    fc.constantFrom<[string, string]>(
      ['docker.io', 'library/ubuntu'],
      ['docker.io', 'acme/app'],
      ['ghcr.io', 'org/team/app'],
      ['registry.example.com', 'team/app'],
      ['127.0.0.1:5000', 'team/app'],
      ['localhost', 'app'],
      ['[::1]:5000', 'a/b'],
      ['registry.example.com:8443', 'app'],
    ),
    fc.option(fc.constantFrom('latest', '1.0', 'Latest', 'debug'), { nil: undefined }),
    fc.option(fc.constant(`sha256:${HEX}`), { nil: undefined }),
  )
  .map(([[registry, repository], tag, digest]) => ({
    registry,
    repository,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  }));

const flipCase = (s: string, flips: boolean[]): string =>
  [...s].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c)).join('');

/** Another spelling of the same image, as docker reads it. */
function spelling(c: Canonical, hub: number, flips: boolean[], port: boolean, dropLibrary: boolean): string {
  let host: string | undefined = c.registry;
  let repo = c.repository;
  if (c.registry === 'docker.io') {
    host = [undefined, 'docker.io', 'index.docker.io', 'registry-1.docker.io'][hub];
    if (dropLibrary && repo.startsWith('library/')) repo = repo.slice('library/'.length);
  }
  if (host !== undefined) {
    host = flipCase(host, flips);
    if (port && !host.includes(']:') && !/:\d+$/.test(host))
      host += host.toLowerCase() === 'localhost' ? ':80' : ':443';
  }
  return `${host !== undefined ? `${host}/` : ''}${repo}${c.tag ? `:${c.tag}` : ''}${c.digest ? `@${c.digest}` : ''}`;
}

const written = (c: Canonical): string =>
  `${c.registry}/${c.repository}${c.tag ? `:${c.tag}` : ''}${c.digest ? `@${c.digest}` : ''}`;

function facts(reference: string): ImageFacts {
  return {
    ...referenceFacts(reference),
    digest: `sha256:${HEX}`,
    layers: [],
    signatures: { keys: [] },
    attestations: [],
  };
}

/** Policies naming the canonical image: each rule alone, so each must decide alike. */
function policies(c: Canonical): { rule: string; text: string; denies: boolean }[] {
  const location = `${c.registry}/${c.repository}`;
  const tag = c.tag ?? (c.digest ? undefined : 'latest');
  const spec = (body: string) => `apiVersion: bulwark.dev/v1\nkind: ImagePolicy\nmetadata: { name: p }\nspec:\n${body}`;
  return [
    { rule: 'deny', text: spec(`  deny: [${JSON.stringify(location)}]\n`), denies: true },
    {
      rule: 'allow',
      text: spec(`  allow: [${JSON.stringify(location)}]\n  registries: ["nowhere.example"]\n`),
      denies: false,
    },
    { rule: 'registries', text: spec(`  registries: [${JSON.stringify(c.registry)}]\n`), denies: false },
    {
      rule: 'mutable-tags',
      text: spec(`  mutableTags: { tags: [${JSON.stringify(tag ?? 'latest')}] }\n`),
      denies: tag !== undefined && !c.digest,
    },
    { rule: 'require-digest', text: spec('  requireDigest: true\n'), denies: !c.digest },
  ];
}

test('every spelling of an image meets allow, deny, registries, mutableTags and requireDigest as its canonical name does', () => {
  fc.assert(
    fc.property(
      canonical,
      fc.nat(3),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      fc.boolean(),
      (c, hub, flips, port, dropLibrary) => {
        const s = spelling(c, hub, flips, port, dropLibrary);
        const f = facts(s);
        assert.deepEqual(
          { registry: f.registry, repository: f.repository, tag: f.tag, pinned: f.pinned },
          { registry: c.registry, repository: c.repository, tag: c.tag, pinned: c.digest !== undefined },
          s,
        );
        for (const p of policies(c)) {
          const policy = parsePolicy(p.text, `${p.rule}.yaml`, '.');
          const verdict = evaluate(policy, f);
          assert.equal(
            verdict.allowed,
            !p.denies,
            `${s} under ${p.rule}: ${verdict.violations.map((v) => v.message).join('; ')}`,
          );
          assert.deepEqual(verdict, evaluate(policy, facts(written(c))), `${s} under ${p.rule}`);
        }
      },
    ),
    { numRuns: 400 },
  );
});

test('tags keep their case and repositories must be lower case, as the distribution spec has them', () => {
  assert.equal(facts('ghcr.io/org/app:Latest').tag, 'Latest');
  const policy = parsePolicy(
    'apiVersion: bulwark.dev/v1\nkind: ImagePolicy\nmetadata: { name: p }\nspec:\n  mutableTags: { tags: [latest] }\n',
    'p.yaml',
    '.',
  );
  assert.equal(evaluate(policy, facts('ghcr.io/org/app:Latest')).allowed, true, 'Latest is another tag than latest');
  assert.throws(
    () => facts('ghcr.io/Org/app:1'),
    (e: unknown) => (e as { code?: string }).code === 'USAGE',
  );
});
