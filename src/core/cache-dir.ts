import { homedir } from 'node:os';
import { join } from 'node:path';

// Where Bulwark keeps what it can recompute (the layer cache, the vulnerability DB): one
// place, low enough that every part storing something there can reach it.

export function defaultCacheDir(): string {
  return process.env.BULWARK_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bulwark');
}
