import { erase } from '../../analysis/analyzer.js';
import { ownKey, type EcosystemDescriptor } from '../descriptor.js';
import { dotnet } from './catalog.js';
import { nugetName } from './name.js';
import { nugetScheme } from './version.js';

export const descriptor: EcosystemDescriptor = {
  id: 'dotnet',
  kind: 'language',
  purlTypes: ['nuget'],
  osvNames: ['NuGet'],
  defaultFeeds: ['NuGet'],
  scheme: nugetScheme,
  catalogers: [erase(dotnet)],
  normalizeName: nugetName,
  lookupKey: ownKey,
};
