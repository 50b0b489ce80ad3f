import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { BulwarkError } from '../core/errors.js';
import { fakeRegistry, type FakeContent, type FakeHandler } from '../../test/support/fake-registry.js';
import { ociImage } from '../../test/support/image-writer.js';
import { gzip, makeTar } from '../../test/support/layers.js';
import { RegistryClient, type RegistryOptions } from './client.js';
import { rejectsCode } from '../../test/support/codes.js';

// The client against small HTTP servers on 127.0.0.1 that misbehave on purpose.

const isCode =
  (code: string) =>
  (e: unknown): boolean =>
    e instanceof BulwarkError && e.code === code;
const noCreds = (): object => ({});

async function image(): Promise<FakeContent & { digest: string }> {
  const img = ociImage([
    {
      tar: await makeTar([{ name: 'etc/os-release', content: 'ID=alpine\n' }]),
      stored: gzip(await makeTar([{ name: 'etc/os-release', content: 'ID=alpine\n' }])),
    },
  ]);
  const doc = { mediaType: img.mediaType, bytes: img.manifest };
  return {
    manifests: new Map([
      ['1', doc],
      [img.digest, doc],
    ]),
    blobs: img.blobs,
    digest: img.digest,
  };
}

async function withRegistry(
  content: FakeContent,
  handler: FakeHandler | undefined,
  opts: RegistryOptions,
  body: (c: RegistryClient, hits: string[], auths: (string | undefined)[]) => Promise<void>,
): Promise<void> {
  const reg = await fakeRegistry(content, handler);
  const client = await RegistryClient.create(reg.host, {
    insecure: true,
    retryBaseMs: 10,
    credentials: noCreds,
    ...opts,
  });
  try {
    await body(client, reg.hits, reg.auths);
  } finally {
    client.close();
    await reg.stop();
  }
}

test('--insecure is refused for registries that are not loopback, before any connection', async () => {
  for (const host of ['registry.example.com', '10.1.2.3:5000', 'localhost.example.com', 'docker.io']) {
    await rejectsCode(RegistryClient.create(host, { insecure: true }), 'USAGE', host);
  }
});

test('a missing CA file is a clear error', async () => {
  await assert.rejects(
    RegistryClient.create('registry.example.com', { caFile: '/nonexistent/ca.pem' }),
    isCode('NOT_FOUND'),
  );
});

test('network errors, 429 and 5xx are retried with backoff, a bounded number of times', async () => {
  const content = await image();
  let failures = 0;
  const flaky: FakeHandler = (req, res, url) => {
    if (!url.pathname.includes('/manifests/') || failures >= 2) return false;
    failures++;
    res.writeHead(503).end();
    return true;
  };
  const waits: number[] = [];
  const sleep = async (ms: number): Promise<void> => void waits.push(ms);
  await withRegistry(content, flaky, { sleep }, async (c, hits) => {
    const m = await c.getManifest('app', '1');
    assert.equal(m.digest, content.digest);
    assert.equal(hits.filter((h) => h.includes('/manifests/')).length, 3);
    assert.deepEqual(waits.splice(0), [10, 20], 'waited 10 ms, then 20 ms');
  });
  let resets = 0;
  const dropping: FakeHandler = (req, res, url) => {
    if (!url.pathname.includes('/manifests/') || resets >= 2) return false;
    resets++;
    req.socket.destroy();
    return true;
  };
  await withRegistry(content, dropping, { sleep }, async (c) => {
    assert.equal((await c.getManifest('app', '1')).digest, content.digest);
    assert.equal(resets, 2);
    assert.deepEqual(waits.splice(0), [10, 20], 'the same backoff after a dropped connection');
  });
  const busy: FakeHandler = (req, res) => {
    res.writeHead(req.url?.includes('/manifests/') ? 429 : 503, { 'Retry-After': '0' }).end();
    return true;
  };
  await withRegistry(content, busy, { sleep }, async (c, hits) => {
    await assert.rejects(
      c.getManifest('app', '1'),
      (e: unknown) => isCode('REGISTRY')(e) && /HTTP 429 after 3 tries/.test((e as Error).message),
    );
    assert.equal(hits.length, 3);
    assert.deepEqual(waits.splice(0), [0, 0], 'Retry-After: 0 instead of the backoff');
  });
  let slowed = 0;
  const slow: FakeHandler = (req, res, url) => {
    if (!url.pathname.includes('/manifests/') || slowed++ >= 1) return false;
    res.writeHead(503, { 'Retry-After': '120' }).end();
    return true;
  };
  await withRegistry(content, slow, { sleep }, async (c) => {
    assert.equal((await c.getManifest('app', '1')).digest, content.digest);
    assert.deepEqual(waits.splice(0), [10_000], 'Retry-After: 120 waits at most 10 s');
  });
});

test('4xx answers are never retried', async () => {
  const content = await image();
  await withRegistry(content, undefined, {}, async (c, hits) => {
    await assert.rejects(c.getManifest('app', 'nope'), isCode('NOT_FOUND'));
    assert.equal(hits.length, 1);
  });
  const bad: FakeHandler = (req, res) => {
    res
      .writeHead(400, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ errors: [{ code: 'NAME_INVALID', message: 'invalid repository name' }] }));
    return true;
  };
  await withRegistry(content, bad, {}, async (c, hits) => {
    await assert.rejects(
      c.getManifest('app', '1'),
      (e: unknown) =>
        isCode('REGISTRY')(e) && /HTTP 400: NAME_INVALID: invalid repository name/.test((e as Error).message),
    );
    assert.equal(hits.length, 1);
  });
});

test('a registry that always answers 401 gives one clear AUTH error', async () => {
  const content = await image();
  const basic: FakeHandler = (req, res) => {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"' }).end();
    return true;
  };
  await withRegistry(content, basic, {}, async (c, hits) => {
    await assert.rejects(
      c.getManifest('app', '1'),
      (e: unknown) => isCode('LOGIN_REQUIRED')(e) && /set BULWARK_REGISTRY_USERNAME/.test((e as Error).message),
      'says how to log in',
    );
    assert.equal(hits.length, 1);
  });
  await withRegistry(
    content,
    basic,
    { credentials: () => ({ credentials: { username: 'u', password: 'wrong' }, source: 'the test' }) },
    async (c, hits) => {
      await assert.rejects(c.getManifest('app', '1'), isCode('AUTH'));
      assert.equal(hits.length, 2, 'once anonymous, once with the credentials');
    },
  );
  // a token server that issues tokens the registry never accepts
  const bearer: FakeHandler = (req, res, url) => {
    if (url.pathname === '/token') res.writeHead(200).end(JSON.stringify({ token: 'useless' }));
    else
      res
        .writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${req.headers.host}/token",service="fake"` })
        .end();
    return true;
  };
  await withRegistry(content, bearer, {}, async (c, hits) => {
    await assert.rejects(c.getManifest('app', '1'), isCode('LOGIN_REQUIRED'));
    assert.deepEqual(
      hits.map((h) => h.split('?')[0]),
      ['GET /v2/app/manifests/1', 'GET /token', 'GET /v2/app/manifests/1'],
    );
  });
});

test('bearer flow: the token is fetched once per scope and sent with every request for that scope', async () => {
  const content = await image();
  let issued = 0;
  const bearer: FakeHandler = (req, res, url) => {
    if (url.pathname === '/token') {
      issued++;
      res.writeHead(200).end(JSON.stringify({ token: `tok-${url.searchParams.get('scope')}`, expires_in: 300 }));
      return true;
    }
    const scope = `repository:${/^\/v2\/(.+)\/(manifests|blobs)\//.exec(url.pathname)?.[1]}:pull`;
    if (req.headers.authorization === `Bearer tok-${scope}`) return false;
    res
      .writeHead(401, {
        'WWW-Authenticate': `Bearer realm="http://${req.headers.host}/token",service="fake",scope="${scope}"`,
      })
      .end();
    return true;
  };
  await withRegistry(content, bearer, {}, async (c) => {
    await c.getManifest('app', '1');
    await c.getManifest('app', content.digest);
    assert.equal(await c.blobExists('app', [...content.blobs!.keys()][0]!), true);
    assert.equal(issued, 1);
    await c.getManifest('other', '1');
    assert.equal(issued, 2, 'another repository is another scope');
  });
});

test('manifests and blobs whose content does not match their digest are refused', async () => {
  const content = await image();
  const [configDigest, layerDigest] = [...content.blobs!.keys()] as [string, string];
  const tamper: FakeHandler = (req, res, url) => {
    if (url.pathname.endsWith(`/manifests/${content.digest}`)) {
      res
        .writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' })
        .end(Buffer.concat([content.manifests!.get('1')!.bytes, Buffer.from(' ')]));
      return true;
    }
    if (url.pathname.endsWith('/manifests/lying')) {
      res
        .writeHead(200, {
          'Content-Type': 'application/vnd.oci.image.manifest.v1+json',
          'Docker-Content-Digest': configDigest,
        })
        .end(content.manifests!.get('1')!.bytes);
      return true;
    }
    if (url.pathname.endsWith(`/blobs/${layerDigest}`) && !req.headers.range) {
      res.writeHead(200).end(Buffer.from('not the layer'));
      return true;
    }
    return false;
  };
  await withRegistry(content, tamper, {}, async (c) => {
    await assert.rejects(c.getManifest('app', content.digest), isCode('DIGEST_MISMATCH'));
    await assert.rejects(c.getManifest('app', 'lying'), isCode('DIGEST_MISMATCH'));
    await assert.rejects(c.readBlob('app', layerDigest, 1 << 20), isCode('DIGEST_MISMATCH'));
    assert.equal((await c.readBlob('app', configDigest, 1 << 20)).length, content.blobs!.get(configDigest)!.length);
  });
});

test('size limits: a manifest over the limit and a blob longer than its descriptor are refused', async () => {
  const content = await image();
  const big: FakeHandler = (req, res, url) => {
    if (!url.pathname.endsWith('/manifests/big')) return false;
    res
      .writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' })
      .end(Buffer.alloc(5 << 20, 0x20));
    return true;
  };
  await withRegistry(content, big, {}, async (c) => {
    await assert.rejects(c.getManifest('app', 'big'), isCode('TOO_LARGE'));
    const [cfg, blob] = [...content.blobs!.entries()][0]!;
    await assert.rejects(c.readBlob('app', cfg, 1 << 20, blob.length - 1), isCode('DIGEST_MISMATCH'));
    await assert.rejects(c.readBlob('app', cfg, 4), isCode('TOO_LARGE'));
  });
});

test('redirects are followed on the same host or to https, never to another plain-http host', async () => {
  const content = await image();
  const [digest, blob] = [...content.blobs!.entries()][0]!;
  const other = await fakeRegistry(content);
  const redirect: FakeHandler = (req, res, url) => {
    if (url.pathname === `/v2/app/blobs/${digest}`)
      res.writeHead(307, { Location: `/storage/${digest.slice(7)}` }).end();
    else if (url.pathname.startsWith('/storage/')) res.writeHead(200).end(blob);
    else if (url.pathname === `/v2/away/blobs/${digest}`)
      res.writeHead(302, { Location: `http://${other.host}/v2/app/blobs/${digest}` }).end();
    else return false;
    return true;
  };
  try {
    await withRegistry(content, redirect, {}, async (c, hits) => {
      assert.deepEqual(await c.readBlob('app', digest, 1 << 20), blob);
      assert.equal(hits[1], `GET /storage/${digest.slice(7)}`);
      await assert.rejects(c.readBlob('away', digest, 1 << 20), isCode('REGISTRY'));
      assert.equal(other.hits.length, 0);
    });
  } finally {
    await other.stop();
  }
});

test(
  'a registry that never answers times out, and a plain-http registry without --insecure fails TLS',
  { timeout: 60_000 },
  async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const c = await RegistryClient.create(host, { timeoutMs: 100, tries: 2, retryBaseMs: 1, credentials: noCreds });
      await assert.rejects(
        c.getManifest('app', '1'),
        (e: unknown) => isCode('NETWORK')(e) && /after 2 tries \(ETIMEDOUT\)/.test((e as Error).message),
      );
      c.close();
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
    const content = await image();
    const reg = await fakeRegistry(content);
    try {
      const c = await RegistryClient.create(reg.host, { tries: 1, credentials: noCreds });
      await assert.rejects(
        c.getManifest('app', '1'),
        (e: unknown) => isCode('TLS')(e) && /--ca-file/.test((e as Error).message),
        'says how to trust a private CA',
      );
      c.close();
    } finally {
      await reg.stop();
    }
  },
);

test('peek asks for a byte range and copes with a registry that ignores it', async () => {
  const content = await image();
  const [digest, blob] = [...content.blobs!.entries()][1]!;
  await withRegistry(content, undefined, {}, async (c) =>
    assert.deepEqual(await c.peekBlob('app', digest, 4), blob.subarray(0, 4)),
  );
  const noRange: FakeHandler = (req, res, url) => {
    if (!url.pathname.includes('/blobs/')) return false;
    res.writeHead(200).end(blob);
    return true;
  };
  await withRegistry(content, noRange, {}, async (c) =>
    assert.deepEqual(await c.peekBlob('app', digest, 4), blob.subarray(0, 4)),
  );
});

test('tag listing follows Link pagination on the same host', async () => {
  const all = ['a', 'b', 'c', 'd', 'e'];
  const pages: FakeHandler = (req, res, url) => {
    if (url.pathname !== '/v2/app/tags/list') return false;
    const n = Number(url.searchParams.get('n') ?? 100);
    const last = url.searchParams.get('last');
    const from = last ? all.indexOf(last) + 1 : 0;
    const tags = all.slice(from, from + n);
    const more = from + n < all.length;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      ...(more ? { Link: `</v2/app/tags/list?n=${n}&last=${tags.at(-1)}>; rel="next"` } : {}),
    });
    res.end(JSON.stringify({ name: 'app', tags }));
    return true;
  };
  await withRegistry({}, pages, {}, async (c, hits) => {
    assert.deepEqual(await c.listTags('app', 2), all);
    assert.equal(hits.length, 3);
  });
});

test('the catalog follows Link pages too; a page link to another host and garbage are refused', async () => {
  const all = ['a/x', 'b', 'c/y/z'];
  const pages: FakeHandler = (_req, res, url) => {
    if (url.pathname === '/v2/_catalog') {
      const last = url.searchParams.get('last');
      const from = last ? all.indexOf(last) + 1 : 0;
      const repositories = all.slice(from, from + 2);
      const more = from + 2 < all.length;
      res.writeHead(200, more ? { Link: `</v2/_catalog?n=2&last=${repositories.at(-1)}>; rel="next"` } : {});
      res.end(JSON.stringify({ repositories }));
      return true;
    }
    return false;
  };
  await withRegistry({}, pages, {}, async (c) => assert.deepEqual(await c.listRepositories(2), all));
  const away: FakeHandler = (_req, res) => {
    res.writeHead(200, { Link: '<http://127.0.0.2:1/v2/_catalog?last=b>; rel="next"' }).end('{"repositories":["b"]}');
    return true;
  };
  await withRegistry({}, away, {}, async (c) => void (await rejectsCode(c.listRepositories(), 'REGISTRY')));
  const junk: FakeHandler = (_req, res) => {
    res.writeHead(200).end('{"repositories": 7}');
    return true;
  };
  await withRegistry({}, junk, {}, async (c) => void (await rejectsCode(c.listRepositories(), 'CORRUPT')));
});
