import { defineScheme } from '../../versions/scheme.js';
import { cmpSemverLike, parseSemverLike } from '../../versions/semver-like.js';

// NuGet versions: SemVer 2 with one to four numbers (1.0.0.1 > 1.0.0, 1.0 = 1.0.0.0),
// leading zeros allowed, release labels compared ignoring case, metadata ignored.
const GRAMMAR = { prefixV: false, minParts: 1, maxParts: 4, shortBare: false, leadingZeros: true, foldCase: true };

export const nugetScheme = defineScheme('nuget', (v) => parseSemverLike(v, GRAMMAR), cmpSemverLike);
