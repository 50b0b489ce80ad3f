import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Inventory, Package } from '../../src/core/types.js';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import { openImage } from '../../src/image/open.js';
import { scanImage } from '../../src/scan/scan.js';
import { buildImage, engineUp, importRootfs, removeImage, saveImage, type ContextFile } from '../support/engine.js';
import { buildFixture, run } from '../support/fixtures.js';
import { have, requireAll } from '../support/require.js';

// Issue 3 acceptance 1–4 on one real image: Debian bookworm (python3-yaml, libcommons-lang3-java
// from dpkg) plus a layer holding a real npm install, a real pip wheel unpacked into site-packages,
// esbuild's Go binary and a fat jar built here around Debian's commons-lang3 jar.

const ROOT = join(import.meta.dirname, '..', '..');
const BASE = 'bulwark-e2e/lang:base';
const APP = 'bulwark-e2e/lang:app';
const ESBUILD = join(ROOT, 'node_modules', '@esbuild', 'linux-x64', 'bin', 'esbuild');
let tmp: TempDir;
let npmApp = '';
let image = '';

before(async () => {
  if (!(await engineUp())) return;
  tmp = await makeTempDir();
  const deb = buildFixture('debian-rootfs.sh');
  npmApp = join(buildFixture('npm-tree.sh'), 'app');
  const ctx = join(tmp.path, 'ctx');
  mkdirSync(ctx);
  // a real wheel from Debian's python3-pip-whl, unpacked as pip would (python's zipfile; nothing run)
  run('dpkg-deb', ['-x', join(deb, 'pip-whl.deb'), join(tmp.path, 'pipwhl')]);
  const wheels = join(tmp.path, 'pipwhl/usr/share/python-wheels');
  const whl = readdirSync(wheels).find((f) => f.startsWith('pip-'))!;
  run('python3', ['-m', 'zipfile', '-e', join(wheels, whl), join(ctx, 'site-packages')]);
  // Debian's commons-lang3 jar nested in a Spring-Boot-style fat jar
  run('tar', ['-xf', join(deb, 'rootfs.tar'), '-C', tmp.path, './usr/share/java/commons-lang3.jar']);
  run('python3', [
    '-c',
    [
      'import zipfile,sys',
      'z=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED)',
      'z.writestr("META-INF/MANIFEST.MF","Manifest-Version: 1.0\\r\\nMain-Class: org.springframework.boot.loader.JarLauncher\\r\\n\\r\\n")',
      'z.writestr("META-INF/maven/com.example/demo/pom.properties","groupId=com.example\\nartifactId=demo\\nversion=1.4.2\\n")',
      'z.write(sys.argv[2],"BOOT-INF/lib/commons-lang3-3.12.0.jar",zipfile.ZIP_STORED)',
      'z.close()',
    ].join('\n'),
    join(ctx, 'demo-1.4.2.jar'),
    join(tmp.path, 'usr/share/java/commons-lang3.jar'),
  ]);
  run('cp', ['-a', join(npmApp, 'node_modules'), join(ctx, 'node_modules')]);
  run('cp', [ESBUILD, join(ctx, 'esbuild')]);
  await importRootfs(createReadStream(join(deb, 'rootfs.tar')), 'bulwark-e2e/lang', 'base');
  await buildImage(APP, {
    Dockerfile: [
      `FROM ${BASE}`,
      'COPY node_modules /app/node_modules',
      'COPY site-packages /usr/local/lib/python3.11/site-packages',
      'COPY esbuild /usr/local/bin/esbuild',
      'COPY demo-1.4.2.jar /app/demo.jar',
    ].join('\n'),
    ...contextFiles(ctx),
  });
  image = join(tmp.path, 'app.tar');
  await saveImage(APP, image);
});

after(async () => {
  if (!image) return;
  await removeImage(APP);
  await removeImage(BASE);
  await tmp.remove();
});

/** Every file under dir, keyed by its path relative to dir (the build context). */
function contextFiles(dir: string): Record<string, ContextFile> {
  const out: Record<string, ContextFile> = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out[relative(dir, p)] = { content: readFileSync(p), mode: st.mode & 0o7777 };
    }
  };
  walk(dir);
  return out;
}

function gate(t: TestContext): boolean {
  return requireAll(t, { 'docker engine (dockerd)': image !== '', python3: have('python3') });
}

async function scan(keepOsOwned = false): Promise<Inventory> {
  const img = await openImage(image);
  try {
    return (await scanImage(img, { cacheDir: null, keepOsOwned })).inventory;
  } finally {
    await img.close();
  }
}

const of = (inv: Inventory, eco: string): Package[] => inv.packages.filter((p) => p.ecosystem === eco);

test('npm packages installed from the registry: each once per install location, with the right version', async (t) => {
  if (!gate(t)) return;
  // the oracle: npm's own view of the same install
  const ls = JSON.parse(run('npm', ['ls', '--all', '--json', '--long', '--prefix', npmApp])) as {
    dependencies?: Record<string, LsNode>;
  };
  interface LsNode {
    version: string;
    path: string;
    dependencies?: Record<string, LsNode>;
  }
  const expected = new Set<string>();
  const visit = (deps: Record<string, LsNode> | undefined): void => {
    for (const [name, n] of Object.entries(deps ?? {})) {
      expected.add(`${name}@${n.version} /app/${relative(npmApp, n.path)}/package.json`);
      visit(n.dependencies);
    }
  };
  visit(ls.dependencies);
  const inv = await scan();
  const found = of(inv, 'npm').map((p) => `${p.name}@${p.version} ${p.path}`);
  assert.equal(found.length, new Set(found).size, 'no package listed twice at one location');
  assert.deepEqual(new Set(found), expected);
  assert.ok(found.includes('ms@2.0.0 /app/node_modules/debug/node_modules/ms/package.json'), 'nested duplicate');
  assert.ok(found.includes('ms@2.1.3 /app/node_modules/ms/package.json'));
  assert.ok(
    found.some((f) => f.startsWith('@babel/helper-string-parser@7.24.8 ')),
    'scoped',
  );
  assert.ok(of(inv, 'npm').every((p) => p.layer.index === 1));
});

test("Debian's python3 packages are OS packages only; a dist-info no OS package owns is PyPI", async (t) => {
  if (!gate(t)) return;
  const inv = await scan();
  assert.ok(of(inv, 'deb').some((p) => p.name === 'python3-yaml'));
  const pypi = of(inv, 'pypi');
  assert.ok(!pypi.some((p) => p.name === 'PyYAML'), 'PyYAML is python3-yaml, not counted twice');
  const pip = pypi.find((p) => p.name === 'pip');
  assert.ok(pip, 'the unpacked wheel is a PyPI package');
  assert.match(pip.path, /^\/usr\/local\/lib\/python3\.11\/site-packages\/pip-[\d.]+\.dist-info\/METADATA$/);
  assert.equal(pip.version, /pip-([\d.]+)\.dist-info/.exec(pip.path)![1]);
  // with the flag, both are shown and the language package names its owner
  const both = await scan(true);
  const yaml = of(both, 'pypi').find((p) => p.name === 'PyYAML');
  assert.equal(yaml?.ownedBy?.name, 'python3-yaml');
});

test("a real Go binary (esbuild's) yields its main module, dependencies and Go version", async (t) => {
  if (!gate(t) || !requireAll(t, { 'strings (binutils)': have('strings') })) return;
  // The oracle: Debian's Go 1.19 `go version -m` cannot read binaries from newer toolchains
  // (esbuild's is one), so read what the Go linker left in the file by other means: the
  // module cache paths compiled into it (path@version) and the runtime's version string.
  const text = run('strings', ['-n', '4', ESBUILD]).split('\n');
  const goVersion = text.find((l) => /^go1\.\d+(\.\d+)?$/.test(l))!.slice(2);
  const deps = [
    ...new Set(
      text.flatMap((l) => [...l.matchAll(/(golang\.org\/x\/[a-z]+)@(v[^/\s]+)/g)].map((m) => `${m[1]}@${m[2]}`)),
    ),
  ].sort();
  assert.ok(deps.length > 0);
  const inv = await scan();
  const go = of(inv, 'golang').filter((p) => p.path === '/usr/local/bin/esbuild');
  assert.equal(go.find((p) => p.name === 'stdlib')?.version, goVersion);
  assert.equal(go.find((p) => p.metadata?.main === 'true')?.name, 'github.com/evanw/esbuild');
  assert.deepEqual(
    go
      .filter((p) => p.name !== 'stdlib' && p.metadata?.main !== 'true')
      .map((p) => `${p.name}@${p.version}`)
      .sort(),
    deps,
  );
  assert.ok(
    go.every((p) => p.layer.index === 3 && p.purl.startsWith('pkg:golang/')),
    'the COPY esbuild layer',
  );
});

test("Debian's jars and a nested fat jar are identified with group, artifact and version", async (t) => {
  if (!gate(t)) return;
  const inv = await scan(true);
  const maven = of(inv, 'maven');
  const debianJar = maven.find((p) => p.path === '/usr/share/java/commons-lang3.jar');
  assert.equal(debianJar?.name, 'org.apache.commons:commons-lang3');
  assert.equal(debianJar?.version, '3.12.0');
  assert.equal(debianJar?.ownedBy?.name, 'libcommons-lang3-java');
  const fat = maven.filter((p) => p.path === '/app/demo.jar');
  assert.deepEqual(fat.map((p) => `${p.name}@${p.version}`).sort(), [
    'com.example:demo@1.4.2',
    'org.apache.commons:commons-lang3@3.12.0',
  ]);
  const nested = fat.find((p) => p.name === 'org.apache.commons:commons-lang3')!;
  assert.match(nested.metadata?.location ?? '', /BOOT-INF\/lib\/commons-lang3-3\.12\.0\.jar$/);
  assert.equal(
    nested.metadata?.sha1,
    run('sha1sum', [join(tmp.path, 'usr/share/java/commons-lang3.jar')]).split(' ')[0],
  );
  // without the flag the dpkg-owned jar is the OS package only; the nested copy stays
  const dflt = of(await scan(), 'maven');
  assert.ok(!dflt.some((p) => p.path === '/usr/share/java/commons-lang3.jar'));
  assert.ok(dflt.some((p) => p.path === '/app/demo.jar' && p.name === 'org.apache.commons:commons-lang3'));
});
