import { erase } from '../../analysis/analyzer.js';
import { asGiven, ownKey, type EcosystemDescriptor } from '../descriptor.js';
import { npm } from './catalog.js';
import { semverScheme } from './version.js';

export const descriptor: EcosystemDescriptor = {
  id: 'npm',
  kind: 'language',
  purlTypes: ['npm'],
  osvNames: ['npm'],
  defaultFeeds: ['npm'],
  scheme: semverScheme,
  catalogers: [erase(npm)],
  normalizeName: asGiven,
  lookupKey: ownKey,
};
