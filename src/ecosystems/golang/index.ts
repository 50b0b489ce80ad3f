import { erase } from '../../analysis/analyzer.js';
import { asGiven, type EcosystemDescriptor } from '../descriptor.js';
import { golang } from './catalog.js';
import { goScheme } from './version.js';

export const descriptor: EcosystemDescriptor = {
  id: 'golang',
  kind: 'language',
  purlTypes: ['golang'],
  osvNames: ['Go'],
  defaultFeeds: ['Go'],
  scheme: goScheme,
  catalogers: [erase(golang)],
  normalizeName: asGiven,
  // OSV's Go records write versions without the 'v' module versions carry
  lookupKey: (p) => ({ name: p.name, version: p.version.replace(/^v/, '') }),
};
