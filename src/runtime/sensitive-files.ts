// The one list of credential files the agent guards: it fills the default rules'
// `sensitive_files` list and the audit watches (on the host and in each container's root),
// so a file is matched exactly where it is watched. A directory entry covers the files in it.

export const SENSITIVE_FILES: readonly string[] = [
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/sudoers',
  '/etc/sudoers.d',
  '/root/.ssh/id_rsa',
  '/root/.ssh/id_ecdsa',
  '/root/.ssh/id_ed25519',
  '/root/.ssh/authorized_keys',
];
