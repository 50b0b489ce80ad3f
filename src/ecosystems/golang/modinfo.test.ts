import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModinfo } from './modinfo.js';

// Module info text as `go version -m` prints it and the runtime embeds it (tab-separated
// lines: path, mod, dep, =>, build), written here by hand.

test('build settings named after Object members are ordinary settings', () => {
  const text = [
    'path\texample.com/app',
    'mod\texample.com/app\tv1.2.3\th1:abc=',
    'build\tGOOS=linux',
    'build\t__proto__=polluted',
    'build\tconstructor=x',
    'build\t"-ldflags"="-s -w"',
    '',
  ].join('\n');
  const info = parseModinfo(text);
  assert.deepEqual(Object.entries(info.settings), [
    ['GOOS', 'linux'],
    ['__proto__', 'polluted'],
    ['constructor', 'x'],
    ['-ldflags', '-s -w'],
  ]);
  assert.equal(info.main?.path, 'example.com/app');
});
