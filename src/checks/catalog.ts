import { secretChecks } from './secrets/rules.js';
import { workloadChecks } from './workloads/checks.js';
import type { CheckInfo } from './check.js';
import { IMAGE_CHECK_INFO } from './image/info.js';

// Every check Bulwark has, one list: `bulwark checks list` prints it, reports and threat
// models look ids up in it.

export const CHECKS: readonly CheckInfo[] = [...IMAGE_CHECK_INFO, ...secretChecks(), ...workloadChecks()];
