import { erase } from '../../analysis/analyzer.js';
import { ownKey, type EcosystemDescriptor } from '../descriptor.js';
import { php } from './catalog.js';
import { packagistName } from './name.js';
import { composerScheme } from './version.js';

export const descriptor: EcosystemDescriptor = {
  id: 'php',
  kind: 'language',
  purlTypes: ['composer'],
  osvNames: ['Packagist'],
  defaultFeeds: ['Packagist'],
  scheme: composerScheme,
  catalogers: [erase(php)],
  normalizeName: packagistName,
  lookupKey: ownKey,
};
