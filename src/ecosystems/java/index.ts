import { erase } from '../../analysis/analyzer.js';
import { asGiven, ownKey, type EcosystemDescriptor } from '../descriptor.js';
import { java } from './catalog.js';
import { mavenScheme } from './version.js';

export const descriptor: EcosystemDescriptor = {
  id: 'java',
  kind: 'language',
  purlTypes: ['maven'],
  osvNames: ['Maven'],
  defaultFeeds: ['Maven'],
  scheme: mavenScheme,
  catalogers: [erase(java)],
  normalizeName: asGiven,
  lookupKey: ownKey,
};
