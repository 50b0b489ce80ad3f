import type { CheckFamily } from '../check.js';
import { workloadChecks } from './checks.js';
import { PSS_CHECK_INFO } from './pss-info.js';

/** Workload files (Kubernetes, compose, container-create bodies) and Pod Security Standards levels. */
export const workloadsFamily: CheckFamily = { id: 'workloads', checks: [...workloadChecks(), ...PSS_CHECK_INFO] };
