import { erase, type Cataloger } from '../analysis/analyzer.js';
import { apk } from './apk/catalog.js';
import { dotnet } from './dotnet/catalog.js';
import { dpkg } from './dpkg/catalog.js';
import { golang } from './golang/catalog.js';
import { java } from './java/catalog.js';
import { npm } from './npm/catalog.js';
import { php } from './php/catalog.js';
import { python } from './python/catalog.js';
import { rpm } from './rpm/catalog.js';
import { ruby } from './ruby/catalog.js';
import { rust } from './rust/catalog.js';

// One line per ecosystem; a meta-test checks this list against the folders.
export const catalogers: readonly Cataloger<unknown>[] = [
  erase(dpkg),
  erase(apk),
  erase(rpm),
  erase(python),
  erase(dotnet),
  erase(java),
  erase(npm),
  erase(ruby),
  erase(php),
  erase(golang),
  erase(rust),
];
