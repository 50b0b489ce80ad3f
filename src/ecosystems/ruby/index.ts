import { erase } from '../../analysis/analyzer.js';
import { asGiven, ownKey, type EcosystemDescriptor } from '../descriptor.js';
import { ruby } from './catalog.js';
import { rubygemsScheme } from './version.js';

export const descriptor: EcosystemDescriptor = {
  id: 'ruby',
  kind: 'language',
  purlTypes: ['gem'],
  osvNames: ['RubyGems'],
  defaultFeeds: ['RubyGems'],
  scheme: rubygemsScheme,
  catalogers: [erase(ruby)],
  normalizeName: asGiven,
  lookupKey: ownKey,
};
