import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LicenseRefs, cdxLicenses, spdxDeclared, spdxId } from './license.js';

test('license: SPDX ids, "+" and Debian short names', () => {
  assert.equal(spdxId('mit'), 'MIT');
  assert.equal(spdxId('GPL-2.0+'), 'GPL-2.0-or-later');
  assert.equal(spdxId('Apache-2.0+'), 'Apache-2.0+'); // no Apache-2.0-or-later id: the "+" operator stays
  assert.equal(spdxId('GPL-2+'), undefined); // Debian's name; "GPL-2" is no SPDX id
  assert.equal(spdxId('LGPL-2.1'), 'LGPL-2.1'); // deprecated but listed
});

test('license: object-key names are not ids (found by the property test)', () => {
  for (const s of ['__proto__', 'constructor', 'toString', 'constructor+']) {
    assert.equal(spdxId(s), undefined, s);
    assert.deepEqual(cdxLicenses([s]), { licenses: [{ name: s }] });
    assert.match(spdxDeclared([`MIT WITH ${s}`], new LicenseRefs()), /^LicenseRef-MIT-WITH-[A-Za-z.-]+$/); // unknown exception
  }
});

const declared: [string[], string][] = [
  [['MIT'], 'MIT'],
  [['Apache-2.0 OR MIT'], 'Apache-2.0 OR MIT'],
  [['LGPL-2.1', 'GPL-2+'], 'LGPL-2.1 AND LicenseRef-GPL-2-plus'],
  [['gpl-3.0-or-later with gcc-exception-3.1'], 'GPL-3.0-or-later WITH GCC-exception-3.1'],
  [['GPL-2+ or Artistic'], 'LicenseRef-GPL-2-plus OR LicenseRef-Artistic'],
  [['MIT', 'Apache-2.0 OR MIT', 'MIT '], 'MIT AND (Apache-2.0 OR MIT)'],
  [['ASL 2.0'], 'LicenseRef-ASL-2.0'], // not an expression: one ref for the whole string
  [['GPL-2.0 WITH Foo'], 'LicenseRef-GPL-2.0-WITH-Foo'], // unknown exception
  [['(MIT'], 'LicenseRef-MIT'],
  [[], 'NOASSERTION'],
  [['  '], 'NOASSERTION'],
];

for (const [input, want] of declared) {
  test(`license: SPDX licenseDeclared for ${JSON.stringify(input)}`, () => {
    assert.equal(spdxDeclared(input, new LicenseRefs()), want);
  });
}

test('license: LicenseRefs are unique per text and only for words actually used', () => {
  const refs = new LicenseRefs();
  assert.equal(spdxDeclared(['GPL-2+'], refs), 'LicenseRef-GPL-2-plus');
  assert.equal(spdxDeclared(['GPL-2-plus'], refs), 'LicenseRef-GPL-2-plus-2');
  assert.equal(spdxDeclared(['GPL-2+'], refs), 'LicenseRef-GPL-2-plus');
  assert.equal(spdxDeclared(['public domain'], refs), 'LicenseRef-public-domain');
  assert.deepEqual(
    refs.entries().map((e) => [e.licenseId, e.extractedText]),
    [
      ['LicenseRef-GPL-2-plus', 'GPL-2+'],
      ['LicenseRef-GPL-2-plus-2', 'GPL-2-plus'],
      ['LicenseRef-public-domain', 'public domain'],
    ],
  );
});

test('license: CycloneDX ids, names, or one expression', () => {
  assert.deepEqual(cdxLicenses(['LGPL-2.1', 'GPL-2+']), { licenses: [{ id: 'LGPL-2.1' }, { name: 'GPL-2+' }] });
  assert.deepEqual(cdxLicenses(['MIT']), { licenses: [{ id: 'MIT' }] });
  assert.deepEqual(cdxLicenses(['Apache-2.0 OR MIT']), { expression: 'Apache-2.0 OR MIT' });
  assert.deepEqual(cdxLicenses(['MPL-2.0', 'Apache-2.0 OR MIT']), { expression: 'MPL-2.0 AND (Apache-2.0 OR MIT)' });
  // An expression cannot sit beside a named licence: both become names.
  assert.deepEqual(cdxLicenses(['GPL-2+', 'Apache-2.0 OR MIT']), {
    licenses: [{ name: 'GPL-2+' }, { name: 'Apache-2.0 OR MIT' }],
  });
  assert.deepEqual(cdxLicenses([]), { licenses: [] });
});
