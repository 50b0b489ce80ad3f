import type { CheckInfo } from '../check.js';

// Catalog entries for the image configuration and history checks.

export const IMAGE_CHECK_INFO: CheckInfo[] = [
  {
    id: 'BW-IMG-001',
    title: 'Image runs as root',
    severity: 'HIGH',
    stride: 'ElevationOfPrivilege',
    attack: 'T1611',
    targets: ['image-config'],
    description:
      'With no USER (or USER root / 0) every process in the container runs as root: a breakout, a writable host mount or a kernel bug then acts as root on the host.',
    remediation: 'Add a non-root user and end the Dockerfile with USER <name or uid> (e.g. USER 10001).',
  },
  {
    id: 'BW-IMG-002',
    title: 'Sensitive port exposed',
    severity: 'MEDIUM',
    stride: 'Spoofing',
    attack: 'T1021',
    targets: ['image-config'],
    description:
      'The image declares a remote-administration or control-plane port (SSH, Telnet, RDP, VNC, the Docker Engine or kubelet API…): containers should not run remote login services.',
    remediation: 'Remove the EXPOSE and the service; use `docker exec` / `kubectl exec` for access.',
  },
  {
    id: 'BW-IMG-003',
    title: 'Secret in an environment variable',
    severity: 'CRITICAL',
    stride: 'InformationDisclosure',
    attack: 'T1552.001',
    targets: ['image-config'],
    description:
      'ENV values are stored in the image config, readable by anyone who can pull the image and by every process in the container.',
    remediation:
      'Pass secrets at run time (orchestrator secrets, mounted files) and use build secrets (RUN --mount=type=secret) during builds.',
  },
  {
    id: 'BW-IMG-004',
    title: 'Secret in a label',
    severity: 'CRITICAL',
    stride: 'InformationDisclosure',
    attack: 'T1552.001',
    targets: ['image-config'],
    description: 'Labels are stored in the image config and shown by every registry and inspection tool.',
    remediation: 'Remove the secret from the label and rotate it.',
  },
  {
    id: 'BW-IMG-005',
    title: 'No HEALTHCHECK',
    severity: 'LOW',
    stride: 'DenialOfService',
    attack: 'T1499',
    targets: ['image-config'],
    description: 'Without a health check a hung or degraded container keeps receiving work and is not restarted.',
    remediation: 'Add HEALTHCHECK CMD … (or a liveness probe where an orchestrator runs the image).',
  },
  {
    id: 'BW-IMG-006',
    title: 'ADD from a URL',
    severity: 'MEDIUM',
    stride: 'Tampering',
    attack: 'T1105',
    targets: ['image-history'],
    description:
      'ADD <url> downloads at build time with no integrity check: whoever controls the URL or the path to it controls the image.',
    remediation:
      'Download with a pinned checksum (ADD --checksum=sha256:… or curl then sha256sum -c), or COPY a vendored file.',
  },
  {
    id: 'BW-IMG-007',
    title: 'Downloaded script piped to a shell',
    severity: 'HIGH',
    stride: 'Tampering',
    attack: 'T1059.004',
    targets: ['image-history'],
    description: 'curl … | sh (or wget then sh) runs whatever the server returned at build time, unverified.',
    remediation:
      'Download, verify a pinned checksum or signature, then run; or install from a signed package repository.',
  },
  {
    id: 'BW-IMG-008',
    title: 'Base image named by a mutable tag',
    severity: 'LOW',
    stride: 'Tampering',
    attack: 'T1195.002',
    targets: ['image-config'],
    description:
      'The recorded base image (org.opencontainers.image.base.name) has no digest and the tag latest: rebuilds silently take whatever the tag points to.',
    remediation: 'Pin the base by digest: FROM image:tag@sha256:…',
  },
];
