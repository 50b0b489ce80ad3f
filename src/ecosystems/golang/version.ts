import { defineScheme } from '../../versions/scheme.js';
import { cmpSemverLike, parseSemverLike } from '../../versions/semver-like.js';

// Go module versions: semantic versions with a 'v' (optional here, because OSV's Go records
// write "1.20.7"), "v1" and "v1.2" as shorthands for v1.0.0 and v1.2.0. Pseudo-versions
// (v0.0.0-20220715151400-c0bba94af5f8) are pre-releases and order as such; "+incompatible"
// is build metadata and ignored.
const GRAMMAR = { prefixV: true, minParts: 1, maxParts: 3, shortBare: true, leadingZeros: false, foldCase: false };

export const goScheme = defineScheme('go', (v) => parseSemverLike(v, GRAMMAR), cmpSemverLike);
