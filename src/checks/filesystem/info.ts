import type { CheckInfo } from '../check.js';

// Catalog entries for the filesystem checks.

export const FS_CHECK_INFO: CheckInfo[] = [
  {
    id: 'BW-FS-001',
    title: 'Set-user-id or set-group-id executable',
    severity: 'LOW',
    stride: 'ElevationOfPrivilege',
    attack: 'T1548.001',
    targets: ['filesystem'],
    description:
      "A set-id executable the distribution installed (passwd, su, mount…) runs with its owner's privileges whoever starts it; each one is a path to root if it has a flaw.",
    remediation: 'Remove the set-id bits (RUN chmod a-s …) or the program; run containers with no-new-privileges.',
  },
  {
    id: 'BW-FS-002',
    title: 'World-writable file',
    severity: 'MEDIUM',
    stride: 'Tampering',
    attack: 'T1574',
    targets: ['filesystem'],
    description:
      'Any user in the container can change a world-writable file outside temporary directories, including programs and configuration others run.',
    remediation: 'chmod o-w the file; keep writable data in volumes or temporary directories.',
  },
  {
    id: 'BW-FS-003',
    title: 'Password hashes in /etc/shadow',
    severity: 'HIGH',
    stride: 'Spoofing',
    attack: 'T1003.008',
    targets: ['filesystem'],
    description:
      'Accounts with password hashes ship in the image: the hashes can be cracked offline and the passwords work in every container from it.',
    remediation: 'Lock the accounts (passwd -l, or "*" in the password field) and authenticate otherwise.',
  },
  {
    id: 'BW-FS-004',
    title: 'Git repository in the image',
    severity: 'MEDIUM',
    stride: 'InformationDisclosure',
    attack: 'T1213.003',
    targets: ['filesystem'],
    description:
      'A .git directory ships the whole history (including removed secrets) and remote URLs, sometimes with credentials.',
    remediation: 'Add .git to .dockerignore; COPY only what the image needs.',
  },
  {
    id: 'BW-FS-005',
    title: 'Package-manager cache left behind',
    severity: 'LOW',
    stride: 'InformationDisclosure',
    attack: 'T1592.002',
    targets: ['filesystem'],
    description:
      'Package indexes and downloaded packages make the image bigger and let anyone inside install software from a stale index.',
    remediation:
      'Clean in the same RUN: apt-get clean && rm -rf /var/lib/apt/lists/*, apk add --no-cache, pip --no-cache-dir, npm cache clean --force.',
  },
  {
    id: 'BW-FS-006',
    title: 'sudo installed',
    severity: 'MEDIUM',
    stride: 'ElevationOfPrivilege',
    attack: 'T1548.003',
    targets: ['filesystem'],
    description:
      'sudo in a container is a ready-made privilege escalation path and a sign the image expects interactive use.',
    remediation: 'Remove sudo; do privileged work at build time and run as a non-root user.',
  },
  {
    id: 'BW-FS-007',
    title: 'Set-id executable no OS package installed',
    severity: 'HIGH',
    stride: 'ElevationOfPrivilege',
    attack: 'T1548.001',
    targets: ['filesystem'],
    description:
      'A set-user-id or set-group-id executable that no OS package installed (or that a later layer changed after its package installed it): an application layer added a path to root that no distribution reviewed or patches.',
    remediation:
      'Remove the set-id bits (RUN chmod a-s …) or the program; if it must stay, install it from a package and run containers with no-new-privileges.',
  },
];
