import type { CheckFamily, CheckInfo } from './check.js';
import { filesystemFamily } from './filesystem/index.js';
import { imageFamily } from './image/index.js';
import { secretsFamily } from './secrets/index.js';
import { workloadsFamily } from './workloads/index.js';

// Every check Bulwark has, one line per family: `bulwark checks list` prints it, reports and
// threat models look ids up in it. A new family is a folder under checks/ and a line here.

export const FAMILIES: readonly CheckFamily[] = [imageFamily, filesystemFamily, secretsFamily, workloadsFamily];

export const CHECKS: readonly CheckInfo[] = FAMILIES.flatMap((f) => f.checks);
