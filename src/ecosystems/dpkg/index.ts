import { erase } from '../../analysis/analyzer.js';
import { asGiven, releaseMajor, type EcosystemDescriptor } from '../descriptor.js';
import { dpkg } from './catalog.js';
import { dpkgScheme } from './version.js';

export const descriptor: EcosystemDescriptor = {
  id: 'dpkg',
  kind: 'os',
  purlTypes: ['deb'],
  osvNames: ['Debian', 'Ubuntu'],
  defaultFeeds: ['Debian', 'Ubuntu'],
  scheme: dpkgScheme,
  catalogers: [erase(dpkg)],
  normalizeName: asGiven,
  // Debian and Ubuntu advisories name source packages and their versions
  lookupKey: (p) => ({ name: p.source?.name ?? p.name, version: p.source?.version ?? p.version }),
  releases(os) {
    if (os.family === 'debian') return [`Debian:${releaseMajor(os.version)}`];
    // OSV's Ubuntu feed names LTS, Pro and plain releases separately
    if (os.family === 'ubuntu')
      return [`Ubuntu:${os.version}:LTS`, `Ubuntu:${os.version}`, `Ubuntu:Pro:${os.version}:LTS`];
    return [];
  },
};
