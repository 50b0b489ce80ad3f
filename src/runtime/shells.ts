import { posix } from 'node:path';

// The shells the agent itself recognises (a shell reading a decoded payload from stdin, a
// program whose parent is a shell). The default rules' list shell_binaries holds the same
// names (a test keeps them so); users extend that list for rules, not this one.

export const SHELL_NAMES: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'dash',
  'ash',
  'zsh',
  'ksh',
  'mksh',
  'csh',
  'tcsh',
  'fish',
  'busybox', // its shell is an applet
]);

/** Whether a program file (a path) or name is a shell. */
export function isShell(program: string): boolean {
  return SHELL_NAMES.has(posix.basename(program));
}
