// How a thread held by a FAN_OPEN_PERM event opens its file, and which program it runs: what
// the file guard's reader thread needs to answer a repeated read-only open from its cache.
// The same reading of /proc/<tid>/syscall as src/runtime/fanotify/open-access.ts (see there
// why it is race-free): an open call's number first, then its flags argument.
#pragma once

#include <stdint.h>

struct Opener {
  bool read_only = false;  // an open (or exec) shown not to write, create, truncate or append
  uint64_t exe_dev = 0;    // the program the thread runs (/proc/<tid>/exe's file)
  uint64_t exe_ino = 0;
};

// Parses one /proc/<tid>/syscall line: true when it is an open shown to be read-only.
bool SyscallLineReadOnly(const char* line);

// Reads the held thread's syscall line and program; read_only stays false when either is unknown.
Opener ReadOpener(int32_t tid);
