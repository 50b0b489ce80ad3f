import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../src/core/tempdir.js';
import { bulwark } from '../support/fixtures.js';
import { dockerArchive } from '../support/image-writer.js';
import { makeTar } from '../support/layers.js';
import { have, requireAll } from '../support/require.js';

const ROOT = join(import.meta.dirname, '..', '..');

test('layer reading shows a progress bar on a terminal and nothing extra when piped', async (t) => {
  if (!requireAll(t, { 'script (util-linux, for a pseudo-terminal)': have('script') })) return;
  const tmp = await makeTempDir();
  try {
    const img = join(tmp.path, 'img.tar');
    writeFileSync(
      img,
      await dockerArchive([
        {
          tar: await makeTar([
            { name: 'var/lib/dpkg/status', content: 'Package: a\nVersion: 1\n\n' },
            { name: 'big', content: Buffer.alloc(4 << 20, 7) },
          ]),
        },
      ]),
    );
    const piped = bulwark(['scan', 'image', '--no-cache', img]);
    assert.equal(piped.code, 0);
    assert.equal(piped.stderr, '', 'no progress output when stderr is not a terminal');
    // script(1) runs the CLI on a pseudo-terminal, as a person at a shell would
    const cmd = `${process.execPath} --import tsx src/cli/main.ts scan image --no-cache --scanners pkg ${img} -o ${join(tmp.path, 'out.txt')}`;
    const tty = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(tty.status, 0, tty.stdout);
    assert.match(tty.stdout, /reading layers .*\d+%/);
  } finally {
    await tmp.remove();
  }
});
