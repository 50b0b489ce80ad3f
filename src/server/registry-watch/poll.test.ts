import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { RegistryClient } from '../../registry/client.js';
import { fakeRegistry, type FakeContent, type FakeHandler } from '../../../test/support/fake-registry.js';
import { rejectsCode } from '../../../test/support/codes.js';
import { pollRepository, type PollOptions } from './poll.js';

// The tag poller against a small loopback registry that pages its tag list, answers
// garbage or hangs on purpose. (The real docker-registry: test/e2e/registry-watch.test.ts.)

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function content(tags: Record<string, string>): { content: FakeContent; digests: Map<string, string> } {
  const manifests = new Map<string, { mediaType: string; bytes: Buffer }>();
  const digests = new Map<string, string>();
  for (const [tag, body] of Object.entries(tags)) {
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI, body }));
    manifests.set(tag, { mediaType: OCI, bytes });
    digests.set(tag, sha(bytes));
  }
  return { content: { manifests }, digests };
}

/** Serves the tag list `n` at a time with Link headers, as distribution does. */
function pagedTags(repo: string, tags: string[]): FakeHandler {
  return (_req, res, url) => {
    if (url.pathname !== `/v2/${repo}/tags/list`) return false;
    const n = Number(url.searchParams.get('n') ?? 1000);
    const last = url.searchParams.get('last');
    const from = last ? tags.indexOf(last) + 1 : 0;
    const page = tags.slice(from, from + n);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (from + n < tags.length)
      headers.Link = `</v2/${repo}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1]!)}>; rel="next"`;
    res.writeHead(200, headers).end(JSON.stringify({ name: repo, tags: page }));
    return true;
  };
}

async function withClient(
  c: FakeContent,
  handler: FakeHandler,
  body: (client: RegistryClient, hits: string[]) => Promise<void>,
): Promise<void> {
  const reg = await fakeRegistry(c, handler);
  const client = await RegistryClient.create(reg.host, {
    insecure: true,
    retryBaseMs: 5,
    tries: 2,
    credentials: () => ({}),
    env: {},
  });
  try {
    await body(client, reg.hits);
  } finally {
    client.close();
    await reg.stop();
  }
}

test('pages through the tags and returns the digests not known, each with its tags', async () => {
  const tags = { a: 'one', b: 'two', c: 'one', d: 'three', e: 'four' };
  const { content: c, digests } = content(tags);
  await withClient(c, pagedTags('team/app', Object.keys(tags)), async (client, hits) => {
    const known = new Set([digests.get('d')!]);
    const r = await pollRepository(client, 'team/app', known, { pageSize: 2, concurrency: 2 });
    assert.equal(r.tagCount, 5);
    assert.deepEqual(r.failed, []);
    const byDigest = new Map(r.found.map((f) => [f.digest, f.tags]));
    assert.deepEqual(byDigest.get(digests.get('a')!), ['a', 'c']);
    assert.deepEqual(byDigest.get(digests.get('b')!), ['b']);
    assert.deepEqual(byDigest.get(digests.get('e')!), ['e']);
    assert.equal(byDigest.has(digests.get('d')!), false);
    assert.equal(hits.filter((h) => h.startsWith('GET /v2/team/app/tags/list')).length, 3);
    assert.ok(r.found.every((f) => f.mediaType === OCI));
  });
});

test('a garbage tag list is a coded error; garbage for one tag costs only that tag', async () => {
  const { content: c, digests } = content({ good: 'x', bad: 'y', gone: 'z' });
  const garbage: FakeHandler = (req, res, url) => {
    if (url.pathname === '/v2/junk/tags/list') return (void res.writeHead(200).end('{"tags": "all"}'), true);
    if (url.pathname === '/v2/app/tags/list')
      return (void res.writeHead(200).end(JSON.stringify({ tags: ['bad', 'good', 'gone', 'good'] })), true);
    if (url.pathname === '/v2/app/manifests/bad') {
      res.writeHead(200, { 'Docker-Content-Digest': 'sha256:nothex', 'Content-Type': OCI }).end();
      return true;
    }
    if (url.pathname === '/v2/app/manifests/gone') return (void res.writeHead(500).end('oops'), true);
    return req.method === 'NEVER';
  };
  await withClient(c, garbage, async (client) => {
    await rejectsCode(pollRepository(client, 'junk', new Set()), 'CORRUPT');
    const r = await pollRepository(client, 'app', new Set());
    assert.deepEqual(
      r.found.map((f) => f.digest),
      [digests.get('good')],
    );
    assert.deepEqual(r.failed.map((f) => [f.tag, f.error.code]).sort(), [
      ['bad', 'CORRUPT'],
      ['gone', 'REGISTRY'],
    ]);
  });
});

test('bounded: tags past the limit are reported, and a hanging registry ends the poll in time', async () => {
  const { content: c } = content({ t1: '1', t2: '2', t3: '3' });
  const hang: FakeHandler = (_req, _res, url) => url.pathname === '/v2/slow/manifests/t2';
  const tags: FakeHandler = (req, res, url) => {
    if (url.pathname.endsWith('/tags/list'))
      return (void res.writeHead(200).end(JSON.stringify({ tags: ['t1', 't2', 't3'] })), true);
    if (url.pathname.startsWith('/v2/slow/manifests/')) {
      const t = url.pathname.split('/').pop()!;
      if (hang(req, res, url)) return true; // never answered
      const doc = c.manifests!.get(t)!;
      res.writeHead(200, { 'Docker-Content-Digest': sha(doc.bytes), 'Content-Type': OCI }).end();
      return true;
    }
    return false;
  };
  await withClient(c, tags, async (client) => {
    const limited = await pollRepository(client, 'slow', new Set(), { maxTags: 1 });
    assert.deepEqual(
      limited.failed.map((f) => [f.tag, f.error.code]),
      [
        ['t2', 'TOO_LARGE'],
        ['t3', 'TOO_LARGE'],
      ],
    );
    const opts: PollOptions = { timeoutMs: 800, concurrency: 1 };
    const started = Date.now();
    const r = await pollRepository(client, 'slow', new Set(), opts);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.equal(r.found.length, 1);
    assert.deepEqual(
      r.failed.map((f) => [f.tag, f.error.code]),
      [
        ['t2', 'NETWORK'],
        ['t3', 'NETWORK'],
      ],
    );
  });
});
