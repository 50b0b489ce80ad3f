import { erase } from '../../analysis/analyzer.js';
import { ownKey, type EcosystemDescriptor } from '../descriptor.js';
import { rust } from './catalog.js';
import { crateName } from './name.js';
// crates.io orders versions as npm does: SemVer 2.0.0
import { semverScheme } from '../npm/version.js';

export const descriptor: EcosystemDescriptor = {
  id: 'rust',
  kind: 'language',
  purlTypes: ['cargo'],
  osvNames: ['crates.io'],
  defaultFeeds: ['crates.io'],
  scheme: semverScheme,
  catalogers: [erase(rust)],
  normalizeName: crateName,
  lookupKey: ownKey,
};
