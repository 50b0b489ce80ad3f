import { erase } from '../../analysis/analyzer.js';
import { ownKey, type EcosystemDescriptor } from '../descriptor.js';
import { python } from './catalog.js';
import { pypiName } from './name.js';
import { pep440Scheme } from './version.js';

export const descriptor: EcosystemDescriptor = {
  id: 'python',
  kind: 'language',
  purlTypes: ['pypi'],
  osvNames: ['PyPI'],
  defaultFeeds: ['PyPI'],
  scheme: pep440Scheme,
  catalogers: [erase(python)],
  normalizeName: pypiName,
  lookupKey: ownKey,
};
