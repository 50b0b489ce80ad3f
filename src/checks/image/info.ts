import type { CheckInfo } from '../check.js';

// Catalog entries for the image configuration, history and filesystem checks.

export const IMAGE_CHECK_INFO: CheckInfo[] = [
  {
    id: 'BW-IMG-001', title: 'Image runs as root', severity: 'HIGH', stride: 'ElevationOfPrivilege', attack: 'T1611', targets: ['image-config'],
    description: 'With no USER (or USER root / 0) every process in the container runs as root: a breakout, a writable host mount or a kernel bug then acts as root on the host.',
    remediation: 'Add a non-root user and end the Dockerfile with USER <name or uid> (e.g. USER 10001).',
  },
  {
    id: 'BW-IMG-002', title: 'Sensitive port exposed', severity: 'MEDIUM', stride: 'Spoofing', attack: 'T1021', targets: ['image-config'],
    description: 'The image declares a remote-administration or control-plane port (SSH, Telnet, RDP, VNC, the Docker Engine or kubelet API…): containers should not run remote login services.',
    remediation: 'Remove the EXPOSE and the service; use `docker exec` / `kubectl exec` for access.',
  },
  {
    id: 'BW-IMG-003', title: 'Secret in an environment variable', severity: 'CRITICAL', stride: 'InformationDisclosure', attack: 'T1552.001', targets: ['image-config'],
    description: 'ENV values are stored in the image config, readable by anyone who can pull the image and by every process in the container.',
    remediation: 'Pass secrets at run time (orchestrator secrets, mounted files) and use build secrets (RUN --mount=type=secret) during builds.',
  },
  {
    id: 'BW-IMG-004', title: 'Secret in a label', severity: 'CRITICAL', stride: 'InformationDisclosure', attack: 'T1552.001', targets: ['image-config'],
    description: 'Labels are stored in the image config and shown by every registry and inspection tool.',
    remediation: 'Remove the secret from the label and rotate it.',
  },
  {
    id: 'BW-IMG-005', title: 'No HEALTHCHECK', severity: 'LOW', stride: 'DenialOfService', attack: 'T1499', targets: ['image-config'],
    description: 'Without a health check a hung or degraded container keeps receiving work and is not restarted.',
    remediation: 'Add HEALTHCHECK CMD … (or a liveness probe where an orchestrator runs the image).',
  },
  {
    id: 'BW-IMG-006', title: 'ADD from a URL', severity: 'MEDIUM', stride: 'Tampering', attack: 'T1105', targets: ['image-history'],
    description: 'ADD <url> downloads at build time with no integrity check: whoever controls the URL or the path to it controls the image.',
    remediation: 'Download with a pinned checksum (ADD --checksum=sha256:… or curl then sha256sum -c), or COPY a vendored file.',
  },
  {
    id: 'BW-IMG-007', title: 'Downloaded script piped to a shell', severity: 'HIGH', stride: 'Tampering', attack: 'T1059.004', targets: ['image-history'],
    description: 'curl … | sh (or wget then sh) runs whatever the server returned at build time, unverified.',
    remediation: 'Download, verify a pinned checksum or signature, then run; or install from a signed package repository.',
  },
  {
    id: 'BW-IMG-008', title: 'Base image named by a mutable tag', severity: 'LOW', stride: 'Tampering', attack: 'T1195.002', targets: ['image-config'],
    description: 'The recorded base image (org.opencontainers.image.base.name) has no digest and the tag latest: rebuilds silently take whatever the tag points to.',
    remediation: 'Pin the base by digest: FROM image:tag@sha256:…',
  },
  {
    id: 'BW-PSS-001', title: 'Pod Security Standard "baseline" violated', severity: 'HIGH', stride: 'ElevationOfPrivilege', attack: 'T1611', targets: ['kubernetes'],
    description: 'The pod breaks a control of the Kubernetes Pod Security Standards baseline level (known privilege escalations: host namespaces, privileged containers, host paths, added capabilities, unsafe sysctls…), as the version asked for publishes it.',
    remediation: 'Change the pod spec as the control says; `bulwark scan config --pss baseline --pss-version vX.Y` checks against the version your cluster enforces.',
  },
  {
    id: 'BW-PSS-002', title: 'Pod Security Standard "restricted" violated', severity: 'MEDIUM', stride: 'ElevationOfPrivilege', attack: 'T1611', targets: ['kubernetes'],
    description: 'The pod breaks a control of the Pod Security Standards restricted level (hardening best practice: non-root, no privilege escalation, seccomp, dropped capabilities, restricted volume types).',
    remediation: 'Run as non-root, set allowPrivilegeEscalation: false, seccompProfile RuntimeDefault, drop ALL capabilities, and use only the allowed volume types.',
  },
  {
    id: 'BW-FS-001', title: 'Set-user-id or set-group-id executable', severity: 'LOW', stride: 'ElevationOfPrivilege', attack: 'T1548.001', targets: ['filesystem'],
    description: 'A set-id executable the distribution installed (passwd, su, mount…) runs with its owner\'s privileges whoever starts it; each one is a path to root if it has a flaw.',
    remediation: 'Remove the set-id bits (RUN chmod a-s …) or the program; run containers with no-new-privileges.',
  },
  {
    id: 'BW-FS-002', title: 'World-writable file', severity: 'MEDIUM', stride: 'Tampering', attack: 'T1574', targets: ['filesystem'],
    description: 'Any user in the container can change a world-writable file outside temporary directories, including programs and configuration others run.',
    remediation: 'chmod o-w the file; keep writable data in volumes or temporary directories.',
  },
  {
    id: 'BW-FS-003', title: 'Password hashes in /etc/shadow', severity: 'HIGH', stride: 'Spoofing', attack: 'T1003.008', targets: ['filesystem'],
    description: 'Accounts with password hashes ship in the image: the hashes can be cracked offline and the passwords work in every container from it.',
    remediation: 'Lock the accounts (passwd -l, or "*" in the password field) and authenticate otherwise.',
  },
  {
    id: 'BW-FS-004', title: 'Git repository in the image', severity: 'MEDIUM', stride: 'InformationDisclosure', attack: 'T1213.003', targets: ['filesystem'],
    description: 'A .git directory ships the whole history (including removed secrets) and remote URLs, sometimes with credentials.',
    remediation: 'Add .git to .dockerignore; COPY only what the image needs.',
  },
  {
    id: 'BW-FS-005', title: 'Package-manager cache left behind', severity: 'LOW', stride: 'InformationDisclosure', attack: 'T1592.002', targets: ['filesystem'],
    description: 'Package indexes and downloaded packages make the image bigger and let anyone inside install software from a stale index.',
    remediation: 'Clean in the same RUN: apt-get clean && rm -rf /var/lib/apt/lists/*, apk add --no-cache, pip --no-cache-dir, npm cache clean --force.',
  },
  {
    id: 'BW-FS-006', title: 'sudo installed', severity: 'MEDIUM', stride: 'ElevationOfPrivilege', attack: 'T1548.003', targets: ['filesystem'],
    description: 'sudo in a container is a ready-made privilege escalation path and a sign the image expects interactive use.',
    remediation: 'Remove sudo; do privileged work at build time and run as a non-root user.',
  },
  {
    id: 'BW-FS-007', title: 'Set-id executable no OS package installed', severity: 'HIGH', stride: 'ElevationOfPrivilege', attack: 'T1548.001', targets: ['filesystem'],
    description: 'A set-user-id or set-group-id executable that no OS package installed (or that a later layer changed after its package installed it): an application layer added a path to root that no distribution reviewed or patches.',
    remediation: 'Remove the set-id bits (RUN chmod a-s …) or the program; if it must stay, install it from a package and run containers with no-new-privileges.',
  },
];
