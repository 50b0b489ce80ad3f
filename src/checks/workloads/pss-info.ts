import type { CheckInfo } from '../check.js';

// Catalog entries for the Pod Security Standards levels `scan config --pss` checks.

export const PSS_CHECK_INFO: CheckInfo[] = [
  {
    id: 'BW-PSS-001',
    title: 'Pod Security Standard "baseline" violated',
    severity: 'HIGH',
    stride: 'ElevationOfPrivilege',
    attack: 'T1611',
    targets: ['kubernetes'],
    description:
      'The pod breaks a control of the Kubernetes Pod Security Standards baseline level (known privilege escalations: host namespaces, privileged containers, host paths, added capabilities, unsafe sysctls…), as the version asked for publishes it.',
    remediation:
      'Change the pod spec as the control says; `bulwark scan config --pss baseline --pss-version vX.Y` checks against the version your cluster enforces.',
  },
  {
    id: 'BW-PSS-002',
    title: 'Pod Security Standard "restricted" violated',
    severity: 'MEDIUM',
    stride: 'ElevationOfPrivilege',
    attack: 'T1611',
    targets: ['kubernetes'],
    description:
      'The pod breaks a control of the Pod Security Standards restricted level (hardening best practice: non-root, no privilege escalation, seccomp, dropped capabilities, restricted volume types).',
    remediation:
      'Run as non-root, set allowPrivilegeEscalation: false, seccompProfile RuntimeDefault, drop ALL capabilities, and use only the allowed volume types.',
  },
];
