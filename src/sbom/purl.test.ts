import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PackageURL } from 'packageurl-js';
import type { OsInfo } from '../core/types.js';
import { isBulwarkError } from '../core/errors.js';
import { packagePurl, type PurlInput } from './purl.js';

const bookworm: OsInfo = { family: 'debian', version: '12', codename: 'bookworm' };
const jammy: OsInfo = { family: 'ubuntu', version: '22.04', codename: 'jammy' };
const rhel: OsInfo = { family: 'rhel', version: '9.4' };
const alpine: OsInfo = { family: 'alpine', version: '3.19.1' };

const cases: [string, PurlInput, OsInfo | null, string][] = [
  [
    'deb with source package',
    {
      ecosystem: 'deb',
      name: 'libc6',
      version: '2.36-9+deb12u4',
      arch: 'amd64',
      source: { name: 'glibc', version: '2.36-9+deb12u4' },
    },
    bookworm,
    'pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=bookworm&upstream=glibc',
  ],
  [
    'deb epoch stays in the version; source without it',
    {
      ecosystem: 'deb',
      name: 'bsdutils',
      version: '1:2.38.1-5+deb12u1',
      epoch: 1,
      arch: 'amd64',
      source: { name: 'util-linux', version: '2.38.1-5+deb12u1' },
    },
    bookworm,
    'pkg:deb/debian/bsdutils@1:2.38.1-5+deb12u1?arch=amd64&distro=bookworm&upstream=util-linux%402.38.1-5%2Bdeb12u1',
  ],
  [
    'deb epoch field only',
    { ecosystem: 'deb', name: 'perl-base', version: '5.36.0-7+deb12u1', epoch: 2, arch: 'amd64' },
    bookworm,
    'pkg:deb/debian/perl-base@2:5.36.0-7+deb12u1?arch=amd64&distro=bookworm',
  ],
  [
    'ubuntu',
    { ecosystem: 'deb', name: 'libssl3', version: '3.0.2-0ubuntu1.15', arch: 'amd64', source: { name: 'openssl' } },
    jammy,
    'pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.15?arch=amd64&distro=jammy&upstream=openssl',
  ],
  [
    'deb without codename',
    { ecosystem: 'deb', name: 'tzdata', version: '2024a-0+deb12u1', arch: 'all' },
    { family: 'debian', version: '12' },
    'pkg:deb/debian/tzdata@2024a-0+deb12u1?arch=all&distro=debian-12',
  ],
  [
    'deb name lower-cased, unknown OS',
    { ecosystem: 'deb', name: 'Foo', version: '1.0-1' },
    null,
    'pkg:deb/debian/foo@1.0-1',
  ],
  [
    'rpm epoch as qualifier',
    {
      ecosystem: 'rpm',
      name: 'openssl-libs',
      version: '1:3.0.7-27.el9',
      epoch: 1,
      arch: 'x86_64',
      source: { name: 'openssl', version: '3.0.7-27.el9' },
    },
    rhel,
    'pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1&upstream=openssl',
  ],
  [
    'rpm epoch only in the version string',
    { ecosystem: 'rpm', name: 'dbus', version: '1:1.12.20-8.el9', arch: 'x86_64' },
    rhel,
    'pkg:rpm/rhel/dbus@1.12.20-8.el9?arch=x86_64&distro=rhel-9.4&epoch=1',
  ],
  [
    'rpm epoch 0 omitted, name case kept',
    { ecosystem: 'rpm', name: 'SDL2', version: '2.26.3-1.el9', epoch: 0, arch: 'x86_64' },
    rhel,
    'pkg:rpm/rhel/SDL2@2.26.3-1.el9?arch=x86_64&distro=rhel-9.4',
  ],
  [
    'rpm, other vendor',
    { ecosystem: 'rpm', name: 'curl', version: '8.5.0-1.amzn2023.0.4', arch: 'aarch64' },
    { family: 'amzn', version: '2023' },
    'pkg:rpm/amzn/curl@8.5.0-1.amzn2023.0.4?arch=aarch64&distro=amzn-2023',
  ],
  [
    'rpm, unknown OS: no namespace',
    { ecosystem: 'rpm', name: 'curl', version: '7.76.1-29.el9' },
    null,
    'pkg:rpm/curl@7.76.1-29.el9',
  ],
  [
    'apk with origin',
    { ecosystem: 'apk', name: 'libcrypto3', version: '3.1.4-r5', arch: 'x86_64', source: { name: 'openssl' } },
    alpine,
    'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl',
  ],
  [
    'apk, origin is itself',
    { ecosystem: 'apk', name: 'musl', version: '1.2.4_git20230717-r4', arch: 'x86_64', source: { name: 'musl' } },
    alpine,
    'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1',
  ],
  [
    'wolfi',
    { ecosystem: 'apk', name: 'glibc', version: '2.39-r1', arch: 'x86_64' },
    { family: 'wolfi', version: '20230201' },
    'pkg:apk/wolfi/glibc@2.39-r1?arch=x86_64&distro=wolfi-20230201',
  ],
];

for (const [title, pkg, os, want] of cases) {
  test(`purl: ${title}`, () => {
    const got = packagePurl(pkg, os);
    assert.equal(got, want);
    // And it parses back to the same parts.
    const back = PackageURL.fromString(got);
    assert.equal(back.type, pkg.ecosystem);
    assert.equal(back.name, pkg.ecosystem === 'rpm' ? pkg.name : pkg.name.toLowerCase());
  });
}

test('purl: a package with no name is refused with a clear error', () => {
  assert.throws(
    () => packagePurl({ ecosystem: 'deb', name: '', version: '1' }, bookworm),
    (e: unknown) => isBulwarkError(e) && e.code === 'CORRUPT' && /deb package/.test(e.message),
  );
});
