import { PackageURL } from 'packageurl-js';
import type { Cataloger } from '../../analysis/analyzer.js';
import { applicationPackage, catalogFiles, listedPackage } from '../../analysis/catalog-helpers.js';
import { parseComposerJson, parseComposerLock, parseInstalledJson, type ComposerEntry } from './composer.js';

// PHP packages Composer installed (<vendor-dir>/composer/installed.json) in images and
// source trees; composer.lock in source trees only; the project's own composer.json (not an
// installed package's) as the application component, in both.

const INSTALLED = /(?:^|\/)composer\/installed\.json$/;
const LOCK = /(?:^|\/)composer\.lock$/;
const ROOT = /(?:^|\/)composer\.json$/;
// a lockfile that an installed package ships (vendor/<vendor>/<package>/…) locks nothing here
const IN_PACKAGE = /(?:^|\/)vendor\/[^/]+\/[^/]+\//;

export const php: Cataloger<ComposerEntry[]> = {
  id: 'php',
  version: 2,
  ecosystem: 'composer',
  wants(path, _info, target) {
    if (path.endsWith('installed.json')) return INSTALLED.test(path);
    if (path.endsWith('composer.json')) return ROOT.test(path) && !IN_PACKAGE.test(path);
    return target === 'fs' && path.endsWith('composer.lock') && LOCK.test(path) && !IN_PACKAGE.test(path);
  },
  parse(path, content) {
    if (INSTALLED.test(path)) return parseInstalledJson(path, content);
    return ROOT.test(path) ? parseComposerJson(path, content) : parseComposerLock(path, content);
  },
  catalog: (view) =>
    catalogFiles(view, (entries, at) =>
      entries.map((e) => (e.application ? applicationPackage('composer', e, at) : listedPackage('composer', e, at))),
    ),
  purl(pkg) {
    // the vendor is the namespace: pkg:composer/symfony/yaml@v5.4.23
    const slash = pkg.name.indexOf('/');
    return new PackageURL(
      'composer',
      pkg.name.slice(0, slash),
      pkg.name.slice(slash + 1),
      pkg.version,
      undefined,
    ).toString();
  },
};
