import { BulwarkError } from '../../core/errors.js';
// Gradle dependency lockfiles (gradle.lockfile, Gradle 6.8+): `group:artifact:version=conf1,conf2`
// one per line, `#` comments, and one `empty=` line naming configurations with no dependencies.

interface GradleDependency {
  groupId: string;
  artifactId: string;
  version: string;
  configurations: string[];
}

export interface GradleLockData {
  kind: 'gradle';
  dependencies: GradleDependency[];
}

const LINE = /^([^:=\s]+):([^:=\s]+):([^:=\s]+)=([^=\s]*)$/;

export function parseGradleLockfile(text: string): GradleLockData {
  const out: GradleLockData = { kind: 'gradle', dependencies: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('empty=')) return;
    const m = LINE.exec(line);
    if (!m) throw new BulwarkError('CORRUPT', `line ${i + 1}`, 'expected "group:artifact:version=configurations"');
    out.dependencies.push({
      groupId: m[1]!,
      artifactId: m[2]!,
      version: m[3]!,
      configurations: m[4] ? m[4].split(',') : [],
    });
  });
  return out;
}
