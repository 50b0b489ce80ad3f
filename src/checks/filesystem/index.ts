import type { CheckFamily } from '../check.js';
import { FS_CHECK_INFO } from './info.js';

/** Checks on the merged filesystem of an image or directory (analyzer.ts gathers the facts, checks.ts judges them). */
export const filesystemFamily: CheckFamily = { id: 'filesystem', checks: FS_CHECK_INFO };
