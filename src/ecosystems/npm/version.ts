import { defineScheme } from '../../versions/scheme.js';
import { cmpSemverLike, parseSemverLike } from '../../versions/semver-like.js';

// SemVer 2.0.0, as npm and crates.io publish versions: exactly three numbers without leading
// zeros, pre-release identifiers, build metadata (ignored). A leading 'v' is accepted, as
// node-semver's strict parser accepts it.
const GRAMMAR = { prefixV: true, minParts: 3, maxParts: 3, shortBare: false, leadingZeros: false, foldCase: false };

export const semverScheme = defineScheme('semver', (v) => parseSemverLike(v, GRAMMAR), cmpSemverLike);
