import type { FileAnalyzer } from '../../analysis/analyzer.js';
import type { CheckResult } from '../check.js';
import { scanSecrets, wantsFile } from './scan.js';

/** Secrets found in one file; the layer is added when results are collected. */
export const secretsAnalyzer: FileAnalyzer<CheckResult[]> = {
  id: 'secrets',
  version: 1,
  wants: (path, info) => wantsFile(path, info.size),
  parse: (path, content) => scanSecrets(`/${path}`, content).results,
};
