import type { FileConsumer } from '../image/layer-walker.js';
import type { Limits } from '../image/limits.js';
import type { FileAnalyzer, FileInfo, ParseContext, ScanTarget } from './analyzer.js';
import type { LayerAnalysis } from './layer-analysis.js';

// What a walk hands its files to during a scan: each file goes to the analyzers that want it,
// and what they return (or the parse error, or "too large") is kept per analyzer as data.

/** The analyzer id under which the walker's own issues are kept. */
const WALKER = 'walker';

/** Hands each walked file to the analyzers that want it; parse errors and oversized files are kept as data. */
export class Collector implements FileConsumer {
  readonly analysis: LayerAnalysis;
  constructor(
    diffId: string,
    private readonly target: ScanTarget,
    private readonly analyzers: readonly FileAnalyzer<unknown>[],
    private readonly limits: Limits,
    private readonly ctx: ParseContext,
  ) {
    this.analysis = { diffId, whiteouts: [], opaqueDirs: [], files: {} };
  }
  /** The walk hands over its limits: each analyzer decides with the user's, not the defaults. */
  wants = (path: string, info: FileInfo, limits: Limits): boolean =>
    this.analyzers.some((a) => a.wants(path, info, this.target, limits));
  onFile = (path: string, content: Buffer, info: FileInfo): void => {
    this.each(path, info, (a) => {
      try {
        return { data: a.parse(path, content, info, this.ctx) };
      } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
      }
    });
  };
  onTooLarge = (path: string, info: FileInfo): void => {
    const error = `not read: ${info.size} bytes, over the ${this.limits.maxFileBytes}-byte file size limit (--max-file-size)`;
    this.each(path, info, () => ({ error }));
  };
  /** Recorded as the walker's own: an issue naming the path. */
  onSkipped = (path: string, why: string): void => {
    this.filesOf(WALKER)[path] = { error: why };
  };
  /** Keyed by paths from the image: no inherited keys (a file may be named __proto__). */
  private filesOf(analyzer: string): Record<string, { data?: unknown; error?: string }> {
    return (this.analysis.files[analyzer] ??= Object.create(null) as Record<
      string,
      { data?: unknown; error?: string }
    >);
  }
  private each(
    path: string,
    info: FileInfo,
    result: (a: FileAnalyzer<unknown>) => { data?: unknown; error?: string },
  ): void {
    for (const a of this.analyzers) {
      if (a.wants(path, info, this.target, this.limits)) this.filesOf(a.id)[path] = result(a);
    }
  }
}
