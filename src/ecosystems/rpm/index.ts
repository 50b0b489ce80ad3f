import { erase } from '../../analysis/analyzer.js';
import { asGiven, ownKey, releaseMajor, type EcosystemDescriptor } from '../descriptor.js';
import { rpm } from './catalog.js';
import { rpmScheme } from './version.js';

/** os-release ID → the OSV ecosystem of its releases; a Map, since the ID is image text. */
const DISTROS = new Map([
  ['almalinux', 'AlmaLinux'],
  ['rocky', 'Rocky Linux'],
  ['opensuse', 'openSUSE'],
  ['opensuse-leap', 'openSUSE'],
  ['sles', 'SUSE'],
  ['mageia', 'Mageia'],
]);

export const descriptor: EcosystemDescriptor = {
  id: 'rpm',
  kind: 'os',
  purlTypes: ['rpm'],
  osvNames: [
    'AlmaLinux',
    'Rocky Linux',
    'Red Hat',
    'openSUSE',
    'SUSE',
    'Mageia',
    'Photon OS',
    'Azure Linux',
    'openEuler',
  ],
  defaultFeeds: ['AlmaLinux', 'Rocky Linux'],
  scheme: rpmScheme,
  catalogers: [erase(rpm)],
  normalizeName: asGiven,
  lookupKey: ownKey,
  releases(os) {
    const name = DISTROS.get(os.family);
    return name ? [`${name}:${releaseMajor(os.version)}`] : [];
  },
};
