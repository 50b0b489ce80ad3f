// Syscall numbers of the calls the audit source asks for or interprets, per audit arch
// (the SYSCALL record's arch= field: the ELF machine with the 64-bit/little-endian flags).
// Numbers are the kernel's ABI tables; syscalls.test.ts checks them against `ausyscall`.

export type AuditArch = 'x86_64' | 'aarch64' | 'i386' | 'arm';

/** arch= hex (lower case, as the kernel prints it) → name. */
export const AUDIT_ARCH: Readonly<Record<string, AuditArch>> = {
  c000003e: 'x86_64',
  c00000b7: 'aarch64',
  '40000003': 'i386',
  '40000028': 'arm',
};

// name → [x86_64, aarch64, i386, arm]; -1 where the arch has no such call.
const TABLE: Record<string, readonly [number, number, number, number]> = {
  execve: [59, 221, 11, 11],
  execveat: [322, 281, 358, 387],
  connect: [42, 203, 362, 283],
  socketcall: [-1, -1, 102, 102],
  setuid: [105, 146, 23, 23],
  setgid: [106, 144, 46, 46],
  setreuid: [113, 145, 70, 70],
  setregid: [114, 143, 71, 71],
  setresuid: [117, 147, 164, 164],
  setresgid: [119, 149, 170, 170],
  setfsuid: [122, 151, 138, 138],
  setfsgid: [123, 152, 139, 139],
  setuid32: [-1, -1, 213, 213],
  setgid32: [-1, -1, 214, 214],
  setreuid32: [-1, -1, 203, 203],
  setregid32: [-1, -1, 204, 204],
  setresuid32: [-1, -1, 208, 208],
  setresgid32: [-1, -1, 210, 210],
  capset: [126, 91, 185, 185],
  open: [2, -1, 5, 5],
  openat: [257, 56, 295, 322],
  openat2: [437, 437, 437, 437],
  creat: [85, -1, 8, 8],
  open_by_handle_at: [304, 265, 342, 371],
  truncate: [76, 45, 92, 92],
  ftruncate: [77, 46, 93, 93],
  truncate64: [-1, -1, 193, 193],
  ftruncate64: [-1, -1, 194, 194],
  rename: [82, -1, 38, 38],
  renameat: [264, 38, 302, 329],
  renameat2: [316, 276, 353, 382],
  unlink: [87, -1, 10, 10],
  unlinkat: [263, 35, 301, 328],
  rmdir: [84, -1, 40, 40],
  link: [86, -1, 9, 9],
  linkat: [265, 37, 303, 330],
  symlink: [88, -1, 83, 83],
  symlinkat: [266, 36, 304, 331],
  mkdir: [83, -1, 39, 39],
  mkdirat: [258, 34, 296, 323],
  mknod: [133, -1, 14, 14],
  mknodat: [259, 33, 297, 324],
  chmod: [90, -1, 15, 15],
  fchmod: [91, 52, 94, 94],
  fchmodat: [268, 53, 306, 333],
  fchmodat2: [452, 452, 452, 452],
  chown: [92, -1, 182, 182],
  fchown: [93, 55, 95, 95],
  lchown: [94, -1, 16, 16],
  fchownat: [260, 54, 298, 325],
  chown32: [-1, -1, 212, 212],
  fchown32: [-1, -1, 207, 207],
  lchown32: [-1, -1, 198, 198],
  setxattr: [188, 5, 226, 226],
  lsetxattr: [189, 6, 227, 227],
  fsetxattr: [190, 7, 228, 228],
  removexattr: [197, 14, 235, 235],
  lremovexattr: [198, 15, 236, 236],
  fremovexattr: [199, 16, 237, 237],
  memfd_create: [319, 279, 356, 385],
  socket: [41, 198, 359, 281],
  ptrace: [101, 117, 26, 26],
  mount: [165, 40, 21, 21],
  umount: [-1, -1, 22, 22],
  umount2: [166, 39, 52, 52],
  fsopen: [430, 430, 430, 430],
  fsmount: [432, 432, 432, 432],
  move_mount: [429, 429, 429, 429],
  open_tree: [428, 428, 428, 428],
  setns: [308, 268, 346, 375],
  unshare: [272, 97, 310, 337],
  init_module: [175, 105, 128, 128],
  finit_module: [313, 273, 350, 379],
  delete_module: [176, 106, 129, 129],
  bpf: [321, 280, 357, 386],
};

const ARCH_INDEX: Record<AuditArch, 0 | 1 | 2 | 3> = { x86_64: 0, aarch64: 1, i386: 2, arm: 3 };

const BY_NUMBER: Record<AuditArch, Map<number, string>> = {
  x86_64: new Map(),
  aarch64: new Map(),
  i386: new Map(),
  arm: new Map(),
};
for (const [name, nrs] of Object.entries(TABLE)) {
  for (const arch of Object.keys(ARCH_INDEX) as AuditArch[]) {
    const nr = nrs[ARCH_INDEX[arch]];
    if (nr >= 0) BY_NUMBER[arch].set(nr, name);
  }
}

/** Every (arch, name, number) in the table, for checks. */
export function syscallTable(): { arch: AuditArch; name: string; nr: number }[] {
  const out: { arch: AuditArch; name: string; nr: number }[] = [];
  for (const [name, nrs] of Object.entries(TABLE))
    for (const arch of Object.keys(ARCH_INDEX) as AuditArch[]) {
      const nr = nrs[ARCH_INDEX[arch]];
      if (nr >= 0) out.push({ arch, name, nr });
    }
  return out;
}

export function syscallName(arch: AuditArch | undefined, nr: number): string | undefined {
  return arch ? BY_NUMBER[arch].get(nr) : undefined;
}

export function syscallNumber(arch: AuditArch, name: string): number | undefined {
  const nrs = TABLE[name];
  if (!nrs) return undefined;
  const nr = nrs[ARCH_INDEX[arch]];
  return nr >= 0 ? nr : undefined;
}

/** The audit arch of this machine's native 64-bit ABI and its 32-bit compat ABI. */
export function hostArches(arch: string = process.arch): { b64: AuditArch; b32: AuditArch } | undefined {
  if (arch === 'x64') return { b64: 'x86_64', b32: 'i386' };
  if (arch === 'arm64') return { b64: 'aarch64', b32: 'arm' };
  return undefined;
}

export const EXEC_SYSCALLS: ReadonlySet<string> = new Set(['execve', 'execveat']);
export const OPEN_SYSCALLS: ReadonlySet<string> = new Set(['open', 'openat', 'openat2', 'creat', 'open_by_handle_at']);
export const UID_SYSCALLS: ReadonlySet<string> = new Set([
  'setuid',
  'setreuid',
  'setresuid',
  'setfsuid',
  'setuid32',
  'setreuid32',
  'setresuid32',
]);
export const GID_SYSCALLS: ReadonlySet<string> = new Set([
  'setgid',
  'setregid',
  'setresgid',
  'setfsgid',
  'setgid32',
  'setregid32',
  'setresgid32',
]);

/** What a file-watch hit that is not an open did to the file. */
export type FileOperation = 'unlink' | 'rename' | 'link' | 'create' | 'chmod' | 'chown' | 'truncate' | 'xattr';

const FILE_OPS: Record<string, FileOperation> = {
  unlink: 'unlink',
  unlinkat: 'unlink',
  rmdir: 'unlink',
  rename: 'rename',
  renameat: 'rename',
  renameat2: 'rename',
  link: 'link',
  linkat: 'link',
  symlink: 'link',
  symlinkat: 'link',
  mkdir: 'create',
  mkdirat: 'create',
  mknod: 'create',
  mknodat: 'create',
  chmod: 'chmod',
  fchmod: 'chmod',
  fchmodat: 'chmod',
  fchmodat2: 'chmod',
  chown: 'chown',
  fchown: 'chown',
  lchown: 'chown',
  fchownat: 'chown',
  chown32: 'chown',
  fchown32: 'chown',
  lchown32: 'chown',
  truncate: 'truncate',
  ftruncate: 'truncate',
  truncate64: 'truncate',
  ftruncate64: 'truncate',
  setxattr: 'xattr',
  lsetxattr: 'xattr',
  fsetxattr: 'xattr',
  removexattr: 'xattr',
  lremovexattr: 'xattr',
  fremovexattr: 'xattr',
};

export function fileOperation(syscall: string): FileOperation | undefined {
  return Object.hasOwn(FILE_OPS, syscall) ? FILE_OPS[syscall] : undefined;
}
