#include "opener.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// Linux generic fcntl.h (x86_64 and arm64 share them)
constexpr uint64_t kAccMode = 03;
constexpr uint64_t kCreat = 0100;
constexpr uint64_t kTrunc = 01000;
constexpr uint64_t kAppend = 02000;

// Index of the flags argument (0-based a0..a5) of an open call; -2 for exec (reads); -1 for
// anything else (creat writes; openat2's flags are in memory another thread may change).
int FlagsArgument(long nr) {
#if defined(__x86_64__)
  switch (nr) {
    case 2: return 1;    // open
    case 257: return 2;  // openat
    case 59:             // execve
    case 322: return -2; // execveat
  }
#elif defined(__aarch64__)
  switch (nr) {
    case 56: return 2;   // openat
    case 221:            // execve
    case 281: return -2; // execveat
  }
#endif
  (void)nr;
  return -1;
}

}  // namespace

bool SyscallLineReadOnly(const char* line) {
  char* end = nullptr;
  long nr = strtol(line, &end, 10);
  if (end == line || *end != ' ') return false;
  int at = FlagsArgument(nr);
  if (at == -2) return true;
  if (at < 0) return false;
  const char* p = end;
  uint64_t arg = 0;
  for (int i = 0; i <= at; i++) {
    if (*p != ' ' || p[1] != '0' || p[2] != 'x') return false;
    const char* start = p + 3;
    arg = strtoull(start, &end, 16);
    if (end == start || end - start > 16) return false;
    p = end;
  }
  uint32_t flags = static_cast<uint32_t>(arg);  // an int: the register's low 32 bits
  return (flags & kAccMode) == 0 && (flags & (kCreat | kTrunc | kAppend)) == 0;
}

Opener ReadOpener(int32_t tid) {
  Opener o;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/syscall", tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return o;
  char line[256];
  ssize_t n = read(fd, line, sizeof line - 1);
  close(fd);
  if (n <= 0) return o;
  line[n] = '\0';
  if (!SyscallLineReadOnly(line)) return o;
  struct stat st;
  snprintf(path, sizeof path, "/proc/%d/exe", tid);
  if (stat(path, &st) != 0) return o;
  o.read_only = true;
  o.exe_dev = static_cast<uint64_t>(st.st_dev);
  o.exe_ino = static_cast<uint64_t>(st.st_ino);
  return o;
}
