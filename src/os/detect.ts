import type { OsDetector } from '../analysis/analyzer.js';
import type { OsInfo } from '../core/types.js';

// Which distribution an image is: os-release first (every current distribution
// ships it), then the older release files for images that predate it.

type Release = { file: string; fields: Record<string, string> } | { file: string; text: string };

const FILES = [
  'etc/os-release',
  'usr/lib/os-release',
  'etc/alpine-release',
  'etc/redhat-release',
  'etc/centos-release',
  'etc/system-release',
  'etc/debian_version',
  'etc/lsb-release',
];
const DISTROLESS = 'var/lib/dpkg/status.d/';

function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!.trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]!] = v.replace(/\\(["'$`\\])/g, '$1');
  }
  return out;
}

function fromOsRelease(f: Record<string, string>): OsInfo | null {
  const id = f.ID?.toLowerCase();
  if (!id) return null;
  const info: OsInfo = { family: id, version: f.VERSION_ID ?? '' };
  if (f.NAME) info.name = f.NAME;
  if (f.PRETTY_NAME) info.prettyName = f.PRETTY_NAME;
  if (f.VERSION_CODENAME) info.codename = f.VERSION_CODENAME;
  return info;
}

const RH =
  /^(Red Hat Enterprise Linux|CentOS(?: Linux| Stream)?|Fedora|AlmaLinux|Rocky Linux|Oracle Linux Server|Amazon Linux)[^0-9]*([0-9][0-9.]*)/;
const RH_FAMILY: Record<string, string> = {
  'Red Hat Enterprise Linux': 'rhel',
  CentOS: 'centos',
  'CentOS Linux': 'centos',
  'CentOS Stream': 'centos',
  Fedora: 'fedora',
  AlmaLinux: 'almalinux',
  'Rocky Linux': 'rocky',
  'Oracle Linux Server': 'ol',
  'Amazon Linux': 'amzn',
};

function fromText(file: string, text: string): OsInfo | null {
  const t = text.trim();
  if (file === 'etc/alpine-release') return { family: 'alpine', version: t };
  if (file === 'etc/debian_version') return { family: 'debian', version: t };
  const m = RH.exec(t);
  return m ? { family: RH_FAMILY[m[1]!] ?? 'rhel', version: m[2]!, prettyName: t } : null;
}

export const osRelease: OsDetector<Release> = {
  id: 'os',
  version: 1,
  wants: (path) => FILES.includes(path) || (path.startsWith(DISTROLESS) && path.endsWith('.md5sums')),
  parse(file, content) {
    if (file.startsWith(DISTROLESS)) return { file, text: '' }; // only its presence matters
    const text = content.toString('utf8');
    return file.endsWith('os-release') || file === 'etc/lsb-release'
      ? { file, fields: parseOsRelease(text) }
      : { file, text };
  },
  detect(view) {
    const distroless = view.paths().some((p) => p.startsWith(DISTROLESS));
    let info: OsInfo | null = null;
    for (const file of FILES) {
      const d = view.get(file)?.data;
      if (!d) continue;
      if ('fields' in d) {
        info =
          file === 'etc/lsb-release'
            ? fromOsRelease({
                ID: d.fields.DISTRIB_ID ?? '',
                VERSION_ID: d.fields.DISTRIB_RELEASE ?? '',
                VERSION_CODENAME: d.fields.DISTRIB_CODENAME ?? '',
              })
            : fromOsRelease(d.fields);
      } else {
        info = fromText(file, d.text);
      }
      if (info) break;
    }
    // Debian's os-release has no point release; debian_version has it ("12.5")
    const dv = view.get('etc/debian_version')?.data;
    if (
      info?.family === 'debian' &&
      dv &&
      'text' in dv &&
      /^\d+\.\d+/.test(dv.text.trim()) &&
      info.version &&
      dv.text.trim().startsWith(info.version)
    ) {
      info.version = dv.text.trim();
    }
    if (info && distroless) info.distroless = true;
    return info;
  },
};
