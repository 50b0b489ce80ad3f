#!/usr/bin/env node
// Builds the fanotify exec-guard addon (native/fanotify/build/Release/bulwark_fanotify.node)
// with the node-gyp that ships with npm, against this Node's own headers: nothing is
// downloaded. Run by the root package's `install` script, so `npm ci` builds it.
//
// When the build fails:
//   - under CI (CI set) or with BULWARK_REQUIRE_FANOTIFY=1, the install fails loudly;
//   - elsewhere the install goes on (everything else in Bulwark works without the addon),
//     and the reason is kept in build/BUILD_FAILED.txt, which the TS wrapper reports as
//     "fanotify addon not built: <reason>" (Protect mode then falls back to kill-after-exec).
// BULWARK_SKIP_FANOTIFY=1 skips the build (the wrapper then says so).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const buildDir = join(here, 'build');
const failedFile = join(buildDir, 'BUILD_FAILED.txt');
const strict = Boolean(process.env.CI) || process.env.BULWARK_REQUIRE_FANOTIFY === '1';

function finish(ok, reason, detail = '') {
  if (ok) {
    rmSync(failedFile, { force: true });
    console.log(`bulwark: fanotify addon built (${join(buildDir, 'Release', 'bulwark_fanotify.node')})`);
    process.exit(0);
  }
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(failedFile, `${reason}\n${detail ? `\n${detail}\n` : ''}`);
  const banner = [
    '',
    '************************************************************************',
    `bulwark: the fanotify addon was NOT built: ${reason}`,
    strict
      ? 'bulwark: failing the install (CI or BULWARK_REQUIRE_FANOTIFY=1).'
      : 'bulwark: Protect mode will kill after exec instead of denying before it; everything else works.',
    `bulwark: details in ${failedFile}; retry with: npm run build:native`,
    '************************************************************************',
    '',
  ].join('\n');
  console.error(banner);
  if (detail) console.error(detail);
  process.exit(strict ? 1 : 0);
}

if (process.env.BULWARK_SKIP_FANOTIFY === '1') {
  rmSync(join(buildDir, 'Release'), { recursive: true, force: true });
  finish(false, 'skipped (BULWARK_SKIP_FANOTIFY=1)');
}
if (process.platform !== 'linux') finish(false, `fanotify is Linux-only (platform ${process.platform})`);

// node-gyp: the one npm gives its scripts, else the one beside this npm.
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(createRequire(process.env.npm_execpath ?? join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'index.js'))
      .resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not beside npm
  }
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => c && existsSync(c));
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) finish(false, 'node-gyp not found (it comes with npm: run this through npm, or set npm_config_node_gyp)');

// Headers: npm's nodedir setting, else this Node's own prefix when it has them. Never download.
const prefix = resolve(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : '');
if (!nodedir) {
  finish(false, `no Node headers (neither npm's nodedir setting nor ${join(prefix, 'include', 'node')}); install them, e.g. Debian's libnode-dev, or set npm config nodedir`);
}

const args = [nodeGyp, 'rebuild', `--directory=${here}`, `--nodedir=${nodedir}`];
const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
if (r.error) finish(false, `cannot run node-gyp: ${r.error.message}`);
if (r.status !== 0) {
  // The most telling line: a compiler error, then gyp's own complaint, then node-gyp's.
  const lines = log.split('\n');
  const first = (re) => lines.find((l) => re.test(l))?.trim();
  const why = first(/\berror:/) ?? first(/^gyp: /) ?? first(/^gyp ERR! stack Error/) ?? first(/ERR!/);
  finish(false, `node-gyp rebuild exited ${r.status}${why ? `: ${why}` : ''}`, lines.slice(-40).join('\n'));
}
if (!existsSync(join(buildDir, 'Release', 'bulwark_fanotify.node'))) finish(false, 'node-gyp succeeded but left no bulwark_fanotify.node');
finish(true);
