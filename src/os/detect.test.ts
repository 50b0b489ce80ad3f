import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileView } from '../analysis/analyzer.js';
import { osRelease } from './detect.js';
import { DEFAULT_LIMITS } from '../image/limits.js';

type Data = ReturnType<typeof osRelease.parse>;

function detect(files: Record<string, string>): ReturnType<typeof osRelease.detect> {
  const parsed = new Map(
    Object.entries(files)
      .filter(([p]) => osRelease.wants(p, { size: 0, mode: 0o644 }, 'image', DEFAULT_LIMITS))
      .map(([p, c]) => [p, { layer: { index: 0, diffId: '' }, data: osRelease.parse(p, Buffer.from(c)) }]),
  );
  const view: FileView<Data> = {
    paths: () => [...parsed.keys()],
    get: (p) => parsed.get(p),
    history: (p) => (parsed.has(p) ? [parsed.get(p)!] : []),
  };
  return osRelease.detect(view);
}

// os-release contents as these distributions ship them
test('os-release of each supported distribution', () => {
  const cases: [string, string, string][] = [
    ['ID=ubuntu\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n', 'ubuntu', '22.04'],
    ['NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="9.4"\n', 'rhel', '9.4'],
    ['NAME="CentOS Linux"\nID="centos"\nVERSION_ID="7"\n', 'centos', '7'],
    ['NAME="Fedora Linux"\nID=fedora\nVERSION_ID=40\n', 'fedora', '40'],
    ['NAME="Amazon Linux"\nID="amzn"\nVERSION_ID="2023"\n', 'amzn', '2023'],
    ['NAME="Rocky Linux"\nID="rocky"\nVERSION_ID="8.9"\n', 'rocky', '8.9'],
    ['NAME="Oracle Linux Server"\nID="ol"\nVERSION_ID="8.9"\n', 'ol', '8.9'],
    ['ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"\n', 'wolfi', '20230201'],
    ['ID=chainguard\nNAME="Chainguard"\nVERSION_ID="20230214"\n', 'chainguard', '20230214'],
  ];
  for (const [text, family, version] of cases) {
    const info = detect({ 'usr/lib/os-release': text });
    assert.equal(info?.family, family);
    assert.equal(info?.version, version);
  }
});

test('older release files where os-release is missing, and Debian point releases', () => {
  assert.deepEqual(detect({ 'etc/redhat-release': 'CentOS release 6.10 (Final)\n' }), {
    family: 'centos',
    version: '6.10',
    prettyName: 'CentOS release 6.10 (Final)',
  });
  assert.equal(detect({ 'etc/alpine-release': '3.11.13\n' })?.version, '3.11.13');
  assert.equal(
    detect({ 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n', 'etc/debian_version': '12.7\n' })?.version,
    '12.7',
  );
  assert.equal(
    detect({ 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n', 'etc/debian_version': 'trixie/sid\n' })?.version,
    '12',
  );
  assert.equal(detect({}), null, 'an unknown OS is reported as unknown, never guessed');
});

test('etc/os-release takes precedence over usr/lib/os-release', () => {
  assert.equal(
    detect({ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.19.1\n', 'usr/lib/os-release': 'ID=debian\nVERSION_ID=12\n' })
      ?.family,
    'alpine',
  );
});
