import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerAnalysis } from './layer-analysis.js';

// Per-layer analysis results on disk, keyed by diff id and the analyzers' ids and
// versions: a changed analyzer misses the cache, a shared base layer hits it.

export class LayerCache {
  constructor(
    private readonly dir: string | null,
    private readonly analyzersKey: string,
  ) {}

  private file(diffId: string): string | null {
    if (!this.dir || !diffId) return null;
    const k = createHash('sha256').update(`${diffId}\n${this.analyzersKey}`).digest('hex');
    return join(this.dir, 'layers', k.slice(0, 2), `${k}.json`);
  }

  async get(diffId: string): Promise<LayerAnalysis | undefined> {
    const f = this.file(diffId);
    if (!f) return undefined;
    try {
      const a = JSON.parse(await readFile(f, 'utf8')) as LayerAnalysis;
      return a.diffId === diffId ? a : undefined;
    } catch {
      return undefined; // missing or damaged entries are simply recomputed
    }
  }

  async put(a: LayerAnalysis): Promise<void> {
    const f = this.file(a.diffId);
    if (!f) return;
    await mkdir(join(f, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${f}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(a), { mode: 0o600 });
    await rename(tmp, f);
  }
}
