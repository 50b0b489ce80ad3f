import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BulwarkError } from '../../core/errors.js';
import { rejectsCode } from '../../../test/support/codes.js';
import { parseWatcherConfig } from './config.js';
import type { PollClient } from './poll.js';
import type { RegistryAccess, ScanRequest } from './triage.js';
import { notificationStatus, Watcher, type WatcherDeps } from './watcher.js';

// The Watcher's bookkeeping without a registry: one enqueue per digest whichever path finds
// it first (even at the same moment), nothing remembered when enqueueing fails, the store's
// isKnown honoured. The real registry: test/e2e/registry-watch.test.ts.

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const OCI = 'application/vnd.oci.image.manifest.v1+json';
const TOKEN = 'tok-abc';
const HEADERS = {
  authorization: `Bearer ${TOKEN}`,
  'content-type': 'application/vnd.docker.distribution.events.v1+json',
};
const config = parseWatcherConfig(
  { registries: [{ url: 'https://reg.example.com', notificationToken: 'events', repositories: ['app'] }] },
  'c',
);

const envelope = (digest: string, action = 'push', repository = 'app'): Buffer =>
  Buffer.from(JSON.stringify({ events: [{ action, target: { mediaType: OCI, digest, repository, tag: 'v1' } }] }));

/** A registry of one repository whose manifest HEADs wait for `gate`. */
function stubClient(
  tags: Record<string, string>,
  gate: Promise<void> = Promise.resolve(),
): PollClient & { close(): void } {
  return {
    registry: 'reg.example.com',
    listTags: () => Promise.resolve(Object.keys(tags)),
    listRepositories: () => Promise.resolve(['app']),
    headManifest: async (_repo: string, tag: string) => {
      await gate;
      return { digest: tags[tag]!, mediaType: OCI, size: 1 };
    },
    close: () => {},
  };
}

function watcher(over: Partial<WatcherDeps> = {}): { w: Watcher; scans: ScanRequest[]; access: RegistryAccess[] } {
  const scans: ScanRequest[] = [];
  const access: RegistryAccess[] = [];
  const w = new Watcher({
    config,
    secrets: { get: (n) => (n === 'events' ? TOKEN : undefined) },
    enqueueScan: (s) => void scans.push(s),
    recordAccess: (a) => void access.push(a),
    openClient: () => Promise.resolve(stubClient({ v1: D1, v2: D2 })),
    ...over,
  });
  return { w, scans, access };
}

test('a digest found by a notification and by a poll at the same moment is enqueued once', async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let slow!: () => void;
  const enqueueGate = new Promise<void>((r) => (slow = r));
  const scans: ScanRequest[] = [];
  const { w } = watcher({
    openClient: () => Promise.resolve(stubClient({ v1: D1, v2: D2 }, gate)),
    enqueueScan: async (s) => {
      await enqueueGate;
      scans.push(s);
    },
  });
  const notified = w.handleNotification(envelope(D1), HEADERS);
  const polled = w.pollOnce();
  open();
  await new Promise((r) => setTimeout(r, 20));
  slow();
  const [n, p] = await Promise.all([notified, polled]);
  assert.deepEqual(
    n.enqueued.map((s) => s.digest),
    [D1],
  );
  assert.deepEqual(
    p[0]!.enqueued.map((s) => s.digest),
    [D2],
  );
  assert.deepEqual(scans.map((s) => s.digest).sort(), [D1, D2]);
  assert.deepEqual((await w.pollOnce())[0]!.enqueued, []);
});

test('an enqueue that fails is not remembered: the resent envelope enqueues it', async () => {
  let fail = true;
  const scans: ScanRequest[] = [];
  const { w, access } = watcher({
    enqueueScan: (s) => {
      if (fail) throw new Error('database is locked');
      scans.push(s);
    },
  });
  await assert.rejects(w.handleNotification(envelope(D1), HEADERS), /database is locked/);
  assert.equal(notificationStatus(new Error('x')), 500);
  fail = false;
  const again = await w.handleNotification(envelope(D1), HEADERS);
  assert.deepEqual(again.enqueued, [{ registry: 'reg.example.com', repository: 'app', digest: D1, tag: 'v1' }]);
  assert.equal(access.length, 2, 'the audit sees both deliveries (entries carry the event id for the store to dedupe)');
});

test("the store's isKnown stops a digest it already has; unwatched repositories are audited only", async () => {
  const { w, scans, access } = watcher({ isKnown: (s) => s.digest === D1 });
  assert.deepEqual((await w.handleNotification(envelope(D1), HEADERS)).enqueued, []);
  assert.deepEqual((await w.handleNotification(envelope(D2, 'push', 'other'), HEADERS)).enqueued, []);
  assert.deepEqual(scans, []);
  assert.deepEqual(
    access.map((a) => a.repository),
    ['app', 'other'],
  );
  const polled = await w.pollOnce();
  assert.deepEqual(
    polled[0]!.enqueued.map((s) => s.digest),
    [D2],
  );
});

test('refusals carry their codes and HTTP statuses; a broken token stops only its registry; a missing secret is reported by the poll', async () => {
  const { w } = watcher({ secrets: { get: () => undefined } });
  const e = await rejectsCode(w.handleNotification(envelope(D1), HEADERS), 'AUTH');
  assert.equal(notificationStatus(e), 401);
  const { w: w2 } = watcher();
  const wrongType = await rejectsCode(
    w2.handleNotification(envelope(D1), { ...HEADERS, 'content-type': 'application/json' }),
    'WRONG_TYPE',
  );
  assert.equal(notificationStatus(wrongType), 415);
  const two = parseWatcherConfig(
    {
      registries: [
        { url: 'https://broken.example.com', notificationToken: 'broken', repositories: ['app'] },
        { url: 'https://reg.example.com', notificationToken: 'events', repositories: ['app'] },
      ],
    },
    'c',
  );
  const tampered = {
    get: (n: string) => {
      if (n === 'broken') throw new BulwarkError('BAD_SIGNATURE', 'secret "broken"', 'does not authenticate');
      return n === 'events' ? TOKEN : undefined;
    },
  };
  const { w: w4 } = watcher({ config: two, secrets: tampered });
  assert.equal((await w4.handleNotification(envelope(D1), HEADERS)).registry, 'reg.example.com');
  const loud = await rejectsCode(
    w4.handleNotification(envelope(D1), { ...HEADERS, authorization: 'Bearer other' }),
    'BAD_SIGNATURE',
  );
  assert.equal(notificationStatus(loud), 500);
  const withCreds = parseWatcherConfig(
    { registries: [{ url: 'https://reg.example.com', credentials: 'gone', repositories: ['app'] }] },
    'c',
  );
  const { w: w3 } = watcher({ config: withCreds });
  const [r] = await w3.pollOnce();
  assert.equal(r!.errors[0]!.error.code, 'NOT_FOUND');
});

test('start polls on the interval without overlapping, stop waits for the poll in flight', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let polls = 0;
  const { w } = watcher({
    openClient: () => {
      polls++;
      return Promise.resolve(stubClient({ v1: D1 }));
    },
  });
  const results: unknown[] = [];
  w.start((r) => results.push(r));
  t.mock.timers.tick(config.pollIntervalSeconds * 1000);
  t.mock.timers.tick(config.pollIntervalSeconds * 1000);
  await w.stop();
  assert.equal(polls, 1, 'the second tick came while the first poll was running');
  t.mock.timers.tick(config.pollIntervalSeconds * 1000);
  assert.equal(polls, 1);
});
