// Default rules about system calls that containers rarely make: packet and raw sockets, ptrace, mount, namespaces, kernel modules, bpf.
// Appended to the base rules (default-rules.ts); the same YAML a user's rule file holds.

export const SYSCALL_RULES_YAML = `
`;
