import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Builds a real rpm database (SQLite backend) holding tiny packages with the names,
// versions and releases a test asks for, using Debian's rpmbuild and rpm.

export interface RpmSpec {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** Writes <root>/var/lib/rpm/rpmdb.sqlite with the packages installed (--justdb). */
export function buildRpmDb(work: string, root: string, packages: RpmSpec[]): void {
  const top = join(work, 'top');
  const db = join(root, 'var/lib/rpm');
  mkdirSync(join(top, 'SPECS'), { recursive: true });
  mkdirSync(join(work, 'tmp'), { recursive: true });
  mkdirSync(db, { recursive: true });
  const rpmArgs = ['--dbpath', db, '--define', '_db_backend sqlite', '--define', `_tmppath ${join(work, 'tmp')}`];
  for (const p of packages) {
    const spec = join(top, 'SPECS', `${p.name}-${p.version}-${p.release}.spec`);
    writeFileSync(
      spec,
      [
        `Name: ${p.name}`,
        `Version: ${p.version}`,
        `Release: ${p.release}`,
        ...(p.epoch !== undefined ? [`Epoch: ${p.epoch}`] : []),
        'Summary: test package',
        'License: MIT',
        `BuildArch: ${p.arch ?? 'noarch'}`,
        '%description',
        'Test.',
        '%install',
        `mkdir -p %{buildroot}/usr/share/${p.name}`,
        `echo ${p.version} > %{buildroot}/usr/share/${p.name}/VERSION`,
        '%files',
        `/usr/share/${p.name}/VERSION`,
        '',
      ].join('\n'),
    );
    run('rpmbuild', [
      '-bb',
      '--nodeps',
      ...rpmArgs,
      '--define',
      `_topdir ${top}`,
      '--define',
      '__os_install_post %{nil}',
      '--define',
      '_build_id_links none',
      spec,
    ]);
  }
  const rpms = readdirSync(join(top, 'RPMS'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.rpm'))
    .map((d) => join(d.parentPath, d.name));
  run('rpm', [...rpmArgs, '--initdb']);
  run('rpm', [...rpmArgs, '-i', '--justdb', '--nodeps', '--noscripts', '--ignorearch', '--ignoreos', ...rpms]);
}
