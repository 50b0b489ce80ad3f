import type { OsDetector } from '../analysis/analyzer.js';
import { osRelease } from './detect.js';

// The OS detectors the scan composes, in order: the first that recognises the image names its distribution.
export const osDetectors: readonly OsDetector<unknown>[] = [osRelease as OsDetector<unknown>];
