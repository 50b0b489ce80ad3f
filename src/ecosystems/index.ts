import { erase, type Cataloger } from '../scan/analyzer.js';
import { apk } from './apk/catalog.js';
import { dpkg } from './dpkg/catalog.js';
import { rpm } from './rpm/catalog.js';

// One line per ecosystem; a meta-test checks this list against the folders.
export const catalogers: readonly Cataloger<unknown>[] = [
  erase(dpkg),
  erase(apk),
  erase(rpm),
];
