import { erase } from '../../analysis/analyzer.js';
import { asGiven, type EcosystemDescriptor } from '../descriptor.js';
import { apk } from './catalog.js';
import { apkScheme } from './version.js';

export const descriptor: EcosystemDescriptor = {
  id: 'apk',
  kind: 'os',
  purlTypes: ['apk'],
  osvNames: ['Alpine', 'Wolfi', 'Chainguard'],
  defaultFeeds: ['Alpine'],
  scheme: apkScheme,
  catalogers: [erase(apk)],
  normalizeName: asGiven,
  // Alpine advisories name the origin package, with the installed package's version
  lookupKey: (p) => ({ name: p.source?.name ?? p.name, version: p.version }),
  releases(os) {
    if (os.family === 'alpine') {
      const [a, b] = os.version.split('.');
      return a && b ? [`Alpine:v${a}.${b}`] : [];
    }
    if (os.family === 'wolfi') return ['Wolfi'];
    if (os.family === 'chainguard') return ['Chainguard'];
    return [];
  },
};
