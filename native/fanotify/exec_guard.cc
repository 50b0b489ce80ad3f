// Bulwark exec guard: a Node-API addon holding one fanotify group with FAN_OPEN_EXEC_PERM
// marks, so that JavaScript can allow or deny each exec on the marked mounts before it runs.
//
// Threads
//   - A reader thread owns the fanotify fd's queue and every event fd it reads: it reads
//     events, resolves the path (readlink of /proc/self/fd/N), hands {id, pid, path, dev, ino} to JS
//     through a thread-safe function, writes the fanotify_response and closes the event fd.
//   - The JS thread only decides: a boolean returned by the callback, or respond(id, allow)
//     later. It may also ask for an allow to be cached: the same file (device, inode, ctime)
//     under the same name is then allowed by the reader thread without asking again, until
//     clearCache(). Decisions are queued under a mutex and the reader thread is woken by an eventfd,
//     so one thread alone writes responses and closes event fds (no fd-reuse races).
// Safety (fail open; never hang the host's execs)
//   - An event with no decision by its deadline (timeout, default 2 s) is allowed by the
//     reader thread, whatever the JS thread is doing.
//   - close() answers every pending event with ALLOW, then closes the group (the kernel
//     allows whatever is still queued when the group goes away).
//   - A callback that throws allows the event at once.
//   - At most kMaxPending events are held (each holds an fd); beyond that the reader stops
//     reading until some are answered or time out, and the rest wait in the kernel's queue.

#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <map>
#include <tuple>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "opener.h"

namespace {

constexpr size_t kMaxPending = 1024;
constexpr uint64_t kEventFFlags = O_RDONLY | O_LARGEFILE | O_CLOEXEC;
constexpr unsigned kInitFlags = FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK;

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

const char* ErrnoName(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOSPC: return "ENOSPC";
    case ENOSYS: return "ENOSYS";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ELOOP: return "ELOOP";
    default: return "EUNKNOWN";
  }
}

// Throws a JS Error carrying code/errno/syscall like Node's own system errors.
void ThrowErrno(napi_env env, const char* syscall, int e, const std::string& what) {
  std::string msg = std::string(syscall) + ": " + ErrnoName(e) + " (" + strerror(e) + ")";
  if (!what.empty()) msg += " " + what;
  napi_value message, error, code, errnum, sys;
  napi_create_string_utf8(env, msg.c_str(), NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, nullptr, message, &error);
  napi_create_string_utf8(env, ErrnoName(e), NAPI_AUTO_LENGTH, &code);
  napi_create_int32(env, e, &errnum);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "code", code);
  napi_set_named_property(env, error, "errno", errnum);
  napi_set_named_property(env, error, "syscall", sys);
  napi_throw(env, error);
}

bool GetString(napi_env env, napi_value v, std::string* out) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return false;
  std::vector<char> buf(len + 1);
  if (napi_get_value_string_utf8(env, v, buf.data(), buf.size(), &len) != napi_ok) return false;
  out->assign(buf.data(), len);
  return true;
}

// The file an exec opens, as far as an allow cache needs to know it: a file whose inode
// changes in any way (content, mode, owner; overlayfs copy-up) gets a new ctime.
struct FileIdentity {
  bool known = false;
  uint64_t dev = 0;
  uint64_t ino = 0;
  int64_t ctime_sec = 0;
  int64_t ctime_nsec = 0;
  uint64_t nlink = 0;
  std::string path;
};

struct Pending {
  int fd;
  int64_t deadline_ns;
  FileIdentity file;
  uint64_t generation;  // of the cache when the event came: a clear since voids its "cache" answer
  Opener opener;        // file guard: how the thread opens, and its program
};

// A file guard's cache key: the file (device, inode) read by the program (device, inode).
using ReadKey = std::tuple<uint64_t, uint64_t, uint64_t, uint64_t>;

struct Decision {
  uint64_t id;
  bool allow;
  bool cache;  // allow this file again without asking while it stays the same
};

constexpr size_t kMaxCached = 65536;

struct Counters {
  double allowed = 0;         // allowed by a decision (callback or respond)
  double denied = 0;          // denied by a decision
  double timed_out = 0;       // allowed because no decision came in time
  double allowed_at_close = 0;  // allowed because the guard closed
  double received = 0;        // permission events read
  double overflows = 0;       // FAN_Q_OVERFLOW seen
  double read_errors = 0;     // read(2) failures on the group fd other than EAGAIN/EINTR
  double cached = 0;          // allowed from the cache, without asking JS
};

class Guard;

struct ExecEvent {
  Guard* guard;
  uint64_t id;
  int32_t pid;
  std::string path;
  // the file's device and inode: which container filesystem, without a /proc lookup
  double dev;
  double ino;
};

class Guard {
 public:
  Guard(int fan_fd, int wake_fd, int64_t timeout_ns)
      : fan_fd_(fan_fd), wake_fd_(wake_fd), timeout_ns_(timeout_ns) {}

  // Called once the thread-safe function exists.
  void Start(napi_threadsafe_function tsfn) {
    tsfn_ = tsfn;
    thread_ = std::thread([this] { Run(); });
  }

  // JS thread: queue a decision for the reader thread. False when the id is not pending.
  bool Decide(uint64_t id, bool allow, bool cache) {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || pending_.find(id) == pending_.end()) return false;
    decisions_.push_back({id, allow, cache && allow});
    Wake();
    return true;
  }

  // Reader thread, mu_ held: whether this file, unchanged since (same ctime), was allowed
  // with "cache" — under the same name, or with `path` null when it had a single name.
  bool CacheHitLocked(const struct stat& st, const std::string* path) {
    auto hit = cache_.find({static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)});
    if (hit == cache_.end() || hit->second.ctime_sec != static_cast<int64_t>(st.st_ctim.tv_sec) ||
        hit->second.ctime_nsec != static_cast<int64_t>(st.st_ctim.tv_nsec)) {
      return false;
    }
    return path == nullptr ? hit->second.nlink == 1 : hit->second.path == *path;
  }

  // Reader thread, mu_ held: a file guard's read of this file (unchanged, same name) by this
  // program was allowed with "cache".
  bool ReadCacheHitLocked(const FileIdentity& f, const Opener& o) {
    auto hit = read_cache_.find({f.dev, f.ino, o.exe_dev, o.exe_ino});
    return hit != read_cache_.end() && hit->second.ctime_sec == f.ctime_sec &&
           hit->second.ctime_nsec == f.ctime_nsec && hit->second.path == f.path;
  }

  // Reader thread: the name of a single-named file whose read a file guard cached, unchanged
  // since (same ctime); its length, 0 when there is none.
  ssize_t CachedReadName(const struct stat& st, std::string* path) {
    std::lock_guard<std::mutex> lock(mu_);
    auto hit = read_names_.find({static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)});
    if (hit == read_names_.end() || hit->second.nlink != 1 ||
        hit->second.ctime_sec != static_cast<int64_t>(st.st_ctim.tv_sec) ||
        hit->second.ctime_nsec != static_cast<int64_t>(st.st_ctim.tv_nsec)) {
      return 0;
    }
    *path = hit->second.path;
    return static_cast<ssize_t>(path->size());
  }

  // Reader thread, mu_ held: keeps an allow with "cache" — an exec guard's file, or a file
  // guard's read-only open (never a write: those are asked every time).
  void Remember(const FileIdentity& f, const Opener& o) {
    if (!allow_self_) {
      if (cache_.size() >= kMaxCached) cache_.clear();
      cache_[{f.dev, f.ino}] = f;
    } else if (o.read_only) {
      if (read_cache_.size() >= kMaxCached) {
        read_cache_.clear();
        read_names_.clear();
      }
      read_cache_[{f.dev, f.ino, o.exe_dev, o.exe_ino}] = f;
      read_names_[{f.dev, f.ino}] = f;
    }
  }

  bool CachedSingleName(const struct stat& st) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!CacheHitLocked(st, nullptr)) return false;
    counters_.received += 1;
    counters_.cached += 1;
    return true;
  }

  // JS thread: forget every cached answer (the rules behind them changed).
  void ClearCache() {
    std::lock_guard<std::mutex> lock(mu_);
    cache_.clear();
    read_cache_.clear();
    read_names_.clear();
    generation_ += 1;
  }

  bool IsPending(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    return !stopping_ && pending_.find(id) != pending_.end();
  }

  // JS thread (or env teardown): stop the reader, allow everything pending, close the group.
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return;
      closed_ = true;
      stopping_ = true;
      Wake();
    }
    if (thread_.joinable()) thread_.join();
    close(fan_fd_);
    close(wake_fd_);
    fan_fd_ = -1;
    wake_fd_ = -1;
    if (tsfn_ != nullptr) {
      napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
      tsfn_ = nullptr;
    }
  }

  bool closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  int fan_fd() const { return fan_fd_; }

  Counters Snapshot(size_t* pending) {
    std::lock_guard<std::mutex> lock(mu_);
    *pending = pending_.size();
    return counters_;
  }

  // Two owners: the JS wrapper object and the thread-safe function. The last one deletes.
  void Unref() {
    bool last;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last = --owners_ == 0;
    }
    if (last) delete this;
  }

  napi_ref self_ref = nullptr;
  bool cleanup_hook = false;

  // ---- file guard (FAN_OPEN_PERM marks; see MarkOpen) ----
  // Only opens below one of these path prefixes are handed to JS; every other open on the
  // marked filesystems is allowed by the reader thread at once (counted in `filtered`), so
  // files outside the protected paths cost one context switch and no JS. Empty: no filter.
  void SetPrefixes(std::vector<std::string> prefixes) {
    std::lock_guard<std::mutex> lock(mu_);
    prefixes_ = std::move(prefixes);
  }
  // A file guard (set before Start): opens by this process (any of its threads) are allowed
  // at once — the JS thread reading a guarded file would otherwise wait on its own decision
  // until the timeout — and the path filter applies.
  void AllowSelf() { allow_self_ = true; }
  double filtered() {
    std::lock_guard<std::mutex> lock(mu_);
    return filtered_;
  }

 private:
  void Wake() {
    uint64_t one = 1;
    ssize_t r = write(wake_fd_, &one, sizeof one);
    (void)r;  // EAGAIN means the counter is already non-zero: the thread will wake anyway.
  }

  void Respond(int fd, bool allow) {
    struct fanotify_response resp;
    resp.fd = fd;
    resp.response = allow ? FAN_ALLOW : FAN_DENY;
    for (;;) {
      ssize_t r = write(fan_fd_, &resp, sizeof resp);
      if (r < 0 && errno == EINTR) continue;
      break;
    }
    close(fd);
  }

  // Answers one pending event (reader thread only). Returns false when it was not pending.
  bool Answer(uint64_t id, bool allow, double Counters::*counter, bool cache = false) {
    int fd;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = pending_.find(id);
      if (it == pending_.end()) return false;
      fd = it->second.fd;
      const FileIdentity& f = it->second.file;
      if (cache && f.known && it->second.generation == generation_) Remember(f, it->second.opener);
      pending_.erase(it);
      counters_.*counter += 1;
    }
    Respond(fd, allow);
    return true;
  }

  void ApplyDecisions() {
    std::vector<Decision> batch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      batch.swap(decisions_);
    }
    for (const Decision& d : batch) {
      Answer(d.id, d.allow, d.allow ? &Counters::allowed : &Counters::denied, d.cache);
    }
  }

  void ExpireOverdue() {
    int64_t now = NowNs();
    for (;;) {
      uint64_t id;
      {
        std::lock_guard<std::mutex> lock(mu_);
        // Ids grow with time and share one timeout, so the first is the earliest deadline.
        auto it = pending_.begin();
        if (it == pending_.end() || it->second.deadline_ns > now) return;
        id = it->first;
      }
      Answer(id, true, &Counters::timed_out);
    }
  }

  // Milliseconds until the earliest deadline, -1 for none.
  int PollTimeout(size_t* pending) {
    std::lock_guard<std::mutex> lock(mu_);
    *pending = pending_.size();
    if (pending_.empty()) return -1;
    int64_t left = pending_.begin()->second.deadline_ns - NowNs();
    if (left <= 0) return 0;
    int64_t ms = (left + 999999) / 1000000;
    return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
  }

  void Dispatch(int fd, int32_t pid) {
    struct stat st;
    bool have_stat = fstat(fd, &st) == 0;
    // A file with one name keeps it until its ctime changes (rename, link and unlink update
    // ctime): a cache hit on device, inode and ctime then needs no readlink. (A parent
    // directory renamed is not seen; in a container's overlay a directory of the image cannot
    // be renamed — EXDEV, mv copies — and files in directories made there are drift, never
    // cached.)
    if (!allow_self_ && have_stat && st.st_nlink == 1 && CachedSingleName(st)) {
      Respond(fd, true);
      return;
    }
    // the same reasoning lets a file guard name a single-named file it cached a read of
    std::string path;
    ssize_t n = allow_self_ && have_stat && st.st_nlink == 1 ? CachedReadName(st, &path) : 0;
    if (n == 0) {
      char link[64];
      snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
      char target[PATH_MAX];
      n = readlink(link, target, sizeof target - 1);
      path = n > 0 ? std::string(target, static_cast<size_t>(n)) : std::string();
    }
    if (allow_self_ && n > 0 && PassesUnasked(path, pid)) {
      Respond(fd, true);
      return;
    }
    FileIdentity file;
    if (have_stat && n > 0) {
      file.known = true;
      file.dev = static_cast<uint64_t>(st.st_dev);
      file.ino = static_cast<uint64_t>(st.st_ino);
      file.ctime_sec = static_cast<int64_t>(st.st_ctim.tv_sec);
      file.ctime_nsec = static_cast<int64_t>(st.st_ctim.tv_nsec);
      file.nlink = static_cast<uint64_t>(st.st_nlink);
      file.path = path;
    }
    // a file guard answers a read it allowed before, by the same program, from its cache
    Opener opener = allow_self_ && file.known ? ReadOpener(pid) : Opener{};

    uint64_t id;
    {
      std::lock_guard<std::mutex> lock(mu_);
      counters_.received += 1;
      bool hit = allow_self_ ? opener.read_only && ReadCacheHitLocked(file, opener)
                             : file.known && CacheHitLocked(st, &file.path);
      if (hit) {
        counters_.cached += 1;
        id = 0;
      } else {
        id = next_id_++;
      }
      if (id != 0) pending_[id] = {fd, NowNs() + timeout_ns_, file, generation_, opener};
    }
    if (id == 0) {
      Respond(fd, true);
      return;
    }
    ExecEvent* ev = new ExecEvent{this, id, pid, std::move(path), have_stat ? static_cast<double>(st.st_dev) : -1,
                                  have_stat ? static_cast<double>(st.st_ino) : -1};
    if (napi_call_threadsafe_function(tsfn_, ev, napi_tsfn_nonblocking) != napi_ok) {
      delete ev;
      Answer(id, true, &Counters::allowed_at_close);
    }
  }

  // Reads what the queue holds, up to the room left under kMaxPending. With allow_all, every
  // event is allowed at once (shutdown drain).
  void ReadEvents(bool allow_all) {
    alignas(struct fanotify_event_metadata) char buf[8192];
    for (;;) {
      size_t room = sizeof buf;
      if (!allow_all) {
        std::lock_guard<std::mutex> lock(mu_);
        size_t free_slots = kMaxPending - pending_.size();
        if (free_slots == 0) return;
        size_t want = free_slots * sizeof(struct fanotify_event_metadata);
        if (want < room) room = want;
      }
      ssize_t n = read(fan_fd_, buf, room);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN) {
          std::lock_guard<std::mutex> lock(mu_);
          counters_.read_errors += 1;
        }
        return;
      }
      if (n == 0) return;
      struct fanotify_event_metadata* m = reinterpret_cast<struct fanotify_event_metadata*>(buf);
      while (FAN_EVENT_OK(m, n)) {
        if (m->mask & FAN_Q_OVERFLOW) {
          std::lock_guard<std::mutex> lock(mu_);
          counters_.overflows += 1;
        }
        if (m->fd >= 0) {
          if (m->mask & (FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM)) {
            if (allow_all) {
              {
                std::lock_guard<std::mutex> lock(mu_);
                counters_.received += 1;
                counters_.allowed_at_close += 1;
              }
              Respond(m->fd, true);
            } else {
              Dispatch(m->fd, m->pid);
            }
          } else {
            close(m->fd);
          }
        }
        m = FAN_EVENT_NEXT(m, n);
      }
    }
  }

  void Run() {
    for (;;) {
      size_t pending = 0;
      int timeout;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) break;
      }
      timeout = PollTimeout(&pending);
      struct pollfd fds[2];
      fds[0].fd = wake_fd_;
      fds[0].events = POLLIN;
      fds[0].revents = 0;
      // At the pending cap, leave further events in the kernel's queue until room frees up.
      fds[1].fd = pending < kMaxPending ? fan_fd_ : -1;
      fds[1].events = POLLIN;
      fds[1].revents = 0;
      int r = poll(fds, 2, timeout);
      if (r < 0) {
        if (errno != EINTR) usleep(1000);  // ENOMEM: try again shortly; deadlines still run.
      }
      if (r > 0 && (fds[0].revents & POLLIN)) {
        uint64_t v;
        ssize_t got = read(wake_fd_, &v, sizeof v);
        (void)got;
      }
      ApplyDecisions();
      if (r > 0 && (fds[1].revents & POLLIN)) ReadEvents(false);
      ExpireOverdue();
    }
    // Shutdown: honour decisions already made, allow the rest, drain the queue.
    ApplyDecisions();
    for (;;) {
      uint64_t id;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = pending_.begin();
        if (it == pending_.end()) break;
        id = it->first;
      }
      Answer(id, true, &Counters::allowed_at_close);
    }
    ReadEvents(true);
  }

  int fan_fd_;
  int wake_fd_;
  int64_t timeout_ns_;
  napi_threadsafe_function tsfn_ = nullptr;
  std::thread thread_;
  std::mutex mu_;
  std::map<uint64_t, Pending> pending_;
  std::vector<Decision> decisions_;
  std::map<std::pair<uint64_t, uint64_t>, FileIdentity> cache_;
  std::map<ReadKey, FileIdentity> read_cache_;
  std::map<std::pair<uint64_t, uint64_t>, FileIdentity> read_names_;  // (dev, ino) → its cached name
  uint64_t generation_ = 0;
  Counters counters_;
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  bool closed_ = false;
  int owners_ = 2;
  std::vector<std::string> prefixes_;
  bool allow_self_ = false;
  double filtered_ = 0;

  // Reader thread: whether an open of `path` by `pid` (a thread id in a file guard) is
  // allowed without asking JS: outside every prefix, or by this process itself.
  bool PassesUnasked(const std::string& path, int32_t pid) {
    if (allow_self_) {
      char task[64];
      snprintf(task, sizeof task, "/proc/self/task/%d", pid);
      if (pid == getpid() || access(task, F_OK) == 0) return true;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (prefixes_.empty()) return false;
    for (const std::string& p : prefixes_) {
      if (path.compare(0, p.size(), p) == 0 && (path.size() == p.size() || path[p.size()] == '/')) return false;
    }
    filtered_ += 1;
    return true;
  }
};

// JS thread: runs the JS callback for one event. env is null when the function is being torn
// down with items still queued (the guard closed): those events were answered already.
void CallJs(napi_env env, napi_value js_cb, void* /*context*/, void* data) {
  ExecEvent* ev = static_cast<ExecEvent*>(data);
  if (env == nullptr || js_cb == nullptr || !ev->guard->IsPending(ev->id)) {
    delete ev;
    return;
  }
  Guard* guard = ev->guard;
  uint64_t id = ev->id;
  napi_value args[5], recv, result;
  napi_create_double(env, static_cast<double>(id), &args[0]);
  napi_create_int32(env, ev->pid, &args[1]);
  napi_create_string_utf8(env, ev->path.data(), ev->path.size(), &args[2]);
  napi_create_double(env, ev->dev, &args[3]);
  napi_create_double(env, ev->ino, &args[4]);
  delete ev;
  napi_get_undefined(env, &recv);
  napi_status st = napi_call_function(env, recv, js_cb, 5, args, &result);
  if (st != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
    }
    guard->Decide(id, true, false);
    return;
  }
  napi_valuetype type;
  if (napi_typeof(env, result, &type) == napi_ok && type == napi_boolean) {
    bool allow = true;
    napi_get_value_bool(env, result, &allow);
    guard->Decide(id, allow, false);
  } else if (type == napi_number) {
    // 0 deny, 1 allow, 2 allow and cache
    int32_t v = 1;
    napi_get_value_int32(env, result, &v);
    guard->Decide(id, v != 0, v == 2);
  }
  // Anything else: the answer comes later through respond(id, allow), or the timeout.
}

void FinalizeTsfn(napi_env /*env*/, void* finalize_data, void* /*hint*/) {
  static_cast<Guard*>(finalize_data)->Unref();
}

void FinalizeWrapper(napi_env /*env*/, void* data, void* /*hint*/) {
  Guard* guard = static_cast<Guard*>(data);
  guard->Close();
  guard->Unref();
}

void CleanupHook(void* arg) {
  Guard* guard = static_cast<Guard*>(arg);
  guard->cleanup_hook = false;
  guard->Close();
}

Guard* Unwrap(napi_env env, napi_callback_info info, size_t want, napi_value* argv) {
  size_t argc = want;
  napi_value self;
  if (napi_get_cb_info(env, info, &argc, argv, &self, nullptr) != napi_ok) return nullptr;
  for (size_t i = argc; i < want; i++) napi_get_undefined(env, &argv[i]);
  void* data = nullptr;
  if (napi_unwrap(env, self, &data) != napi_ok || data == nullptr) {
    napi_throw_type_error(env, nullptr, "not an ExecGuard");
    return nullptr;
  }
  return static_cast<Guard*>(data);
}

// Releases the strong reference that kept the wrapper alive while open.
void Detach(napi_env env, Guard* guard) {
  if (guard->cleanup_hook) {
    napi_remove_env_cleanup_hook(env, CleanupHook, guard);
    guard->cleanup_hook = false;
  }
  if (guard->self_ref != nullptr) {
    napi_delete_reference(env, guard->self_ref);
    guard->self_ref = nullptr;
  }
}

// True for new ExecGuard(timeoutMs, callback, "files"): a file guard (see FileGuardFlags).
bool IsFileGuard(napi_env env, size_t argc, napi_value* argv) {
  std::string kind;
  return argc >= 3 && GetString(env, argv[2], &kind) && kind == "files";
}

// A file guard's events name the opening thread (FAN_REPORT_TID), not its process: the JS
// side reads that thread's /proc/<tid>/syscall to learn the open flags while it waits.
unsigned FileGuardFlags() { return kInitFlags | FAN_REPORT_TID; }

// new ExecGuard(timeoutMs, callback(id, pid, path) => boolean | undefined[, "files"])
napi_value Construct(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], self;
  napi_get_cb_info(env, info, &argc, argv, &self, nullptr);
  double timeout_ms = 0;
  napi_valuetype t0 = napi_undefined, t1 = napi_undefined;
  if (argc >= 2) {
    napi_typeof(env, argv[0], &t0);
    napi_typeof(env, argv[1], &t1);
  }
  if (t0 != napi_number || t1 != napi_function) {
    napi_throw_type_error(env, nullptr, "ExecGuard(timeoutMs: number, callback: function)");
    return nullptr;
  }
  napi_get_value_double(env, argv[0], &timeout_ms);
  if (!(timeout_ms >= 1 && timeout_ms <= 3600000)) {
    napi_throw_range_error(env, nullptr, "timeoutMs must be between 1 and 3600000");
    return nullptr;
  }

  bool files = IsFileGuard(env, argc, argv);
  int fan_fd = fanotify_init(files ? FileGuardFlags() : kInitFlags, kEventFFlags);
  if (fan_fd < 0) {
    ThrowErrno(env, "fanotify_init", errno, "");
    return nullptr;
  }
  int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    int e = errno;
    close(fan_fd);
    ThrowErrno(env, "eventfd", e, "");
    return nullptr;
  }
  Guard* guard = new Guard(fan_fd, wake_fd, static_cast<int64_t>(timeout_ms * 1e6));
  if (files) guard->AllowSelf();

  napi_value name;
  napi_create_string_utf8(env, "bulwark-fanotify-exec", NAPI_AUTO_LENGTH, &name);
  napi_threadsafe_function tsfn;
  napi_status st = napi_create_threadsafe_function(env, argv[1], nullptr, name, 0, 1, guard,
                                                   FinalizeTsfn, nullptr, CallJs, &tsfn);
  if (st != napi_ok) {
    close(fan_fd);
    close(wake_fd);
    delete guard;
    napi_throw_error(env, nullptr, "cannot create the thread-safe function");
    return nullptr;
  }
  if (napi_wrap(env, self, guard, FinalizeWrapper, nullptr, nullptr) != napi_ok) {
    napi_release_threadsafe_function(tsfn, napi_tsfn_abort);  // its finalizer drops one owner
    close(fan_fd);
    close(wake_fd);
    guard->Unref();
    napi_throw_error(env, nullptr, "cannot wrap the guard");
    return nullptr;
  }
  napi_create_reference(env, self, 1, &guard->self_ref);
  napi_add_env_cleanup_hook(env, CleanupHook, guard);
  guard->cleanup_hook = true;
  guard->Start(tsfn);
  return self;
}

// mark(path, scope, remove): scope "mount" | "filesystem"
napi_value Mark(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Guard* guard = Unwrap(env, info, 3, argv);
  if (guard == nullptr) return nullptr;
  std::string path, scope;
  if (!GetString(env, argv[0], &path) || !GetString(env, argv[1], &scope)) {
    napi_throw_type_error(env, nullptr, "mark(path: string, scope: string, remove: boolean)");
    return nullptr;
  }
  bool remove = false;
  napi_get_value_bool(env, argv[2], &remove);
  unsigned int flags = remove ? FAN_MARK_REMOVE : FAN_MARK_ADD;
  if (scope == "mount") {
    flags |= FAN_MARK_MOUNT;
  } else if (scope == "filesystem") {
    flags |= FAN_MARK_FILESYSTEM;
  } else {
    napi_throw_range_error(env, nullptr, "scope must be \"mount\" or \"filesystem\"");
    return nullptr;
  }
  if (guard->closed()) {
    napi_throw_error(env, nullptr, "the guard is closed");
    return nullptr;
  }
  if (fanotify_mark(guard->fan_fd(), flags, FAN_OPEN_EXEC_PERM, AT_FDCWD, path.c_str()) < 0) {
    ThrowErrno(env, "fanotify_mark", errno, path);
    return nullptr;
  }
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}

// markOpen(path, scope, remove): a FAN_OPEN_PERM mark (file guards): every open of a file on
// the mount or filesystem waits for a decision (those outside the prefixes are allowed at once
// by the reader thread).
napi_value MarkOpen(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Guard* guard = Unwrap(env, info, 3, argv);
  if (guard == nullptr) return nullptr;
  std::string path, scope;
  if (!GetString(env, argv[0], &path) || !GetString(env, argv[1], &scope) || (scope != "mount" && scope != "filesystem")) {
    napi_throw_type_error(env, nullptr, "markOpen(path: string, scope: \"mount\" | \"filesystem\", remove: boolean)");
    return nullptr;
  }
  bool remove = false;
  napi_get_value_bool(env, argv[2], &remove);
  unsigned int flags = (remove ? FAN_MARK_REMOVE : FAN_MARK_ADD) | (scope == "mount" ? FAN_MARK_MOUNT : FAN_MARK_FILESYSTEM);
  if (guard->closed()) {
    napi_throw_error(env, nullptr, "the guard is closed");
    return nullptr;
  }
  if (fanotify_mark(guard->fan_fd(), flags, FAN_OPEN_PERM, AT_FDCWD, path.c_str()) < 0) {
    ThrowErrno(env, "fanotify_mark", errno, path);
    return nullptr;
  }
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}

// setPrefixes(paths[]): only opens at or below one of these paths reach JS (file guards).
napi_value SetPrefixesJs(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Guard* guard = Unwrap(env, info, 1, argv);
  if (guard == nullptr) return nullptr;
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, nullptr, "setPrefixes(paths: string[])");
    return nullptr;
  }
  std::vector<std::string> prefixes;
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    std::string p;
    if (napi_get_element(env, argv[0], i, &v) != napi_ok || !GetString(env, v, &p) || p.empty()) {
      napi_throw_type_error(env, nullptr, "setPrefixes(paths: string[]): each path non-empty");
      return nullptr;
    }
    prefixes.push_back(std::move(p));
  }
  guard->SetPrefixes(std::move(prefixes));
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}

// respond(id, allow, cache) → true when the event was still pending
napi_value Respond(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Guard* guard = Unwrap(env, info, 3, argv);
  if (guard == nullptr) return nullptr;
  double id = 0;
  bool allow = true;
  bool cache = false;
  if (napi_get_value_double(env, argv[0], &id) != napi_ok ||
      napi_get_value_bool(env, argv[1], &allow) != napi_ok) {
    napi_throw_type_error(env, nullptr, "respond(id: number, allow: boolean, cache?: boolean)");
    return nullptr;
  }
  napi_get_value_bool(env, argv[2], &cache);  // absent: no cache
  bool ok = id >= 1 && guard->Decide(static_cast<uint64_t>(id), allow, cache);
  napi_value out;
  napi_get_boolean(env, ok, &out);
  return out;
}

napi_value ClearCacheJs(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Guard* guard = Unwrap(env, info, 0, argv);
  if (guard == nullptr) return nullptr;
  guard->ClearCache();
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}

napi_value CloseGuard(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Guard* guard = Unwrap(env, info, 0, argv);
  if (guard == nullptr) return nullptr;
  guard->Close();
  Detach(env, guard);
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}

void SetNumber(napi_env env, napi_value obj, const char* key, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, key, n);
}

napi_value Stats(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Guard* guard = Unwrap(env, info, 0, argv);
  if (guard == nullptr) return nullptr;
  size_t pending = 0;
  Counters c = guard->Snapshot(&pending);
  napi_value obj;
  napi_create_object(env, &obj);
  SetNumber(env, obj, "allowed", c.allowed);
  SetNumber(env, obj, "denied", c.denied);
  SetNumber(env, obj, "timedOut", c.timed_out);
  SetNumber(env, obj, "allowedAtClose", c.allowed_at_close);
  SetNumber(env, obj, "received", c.received);
  SetNumber(env, obj, "pending", static_cast<double>(pending));
  SetNumber(env, obj, "overflows", c.overflows);
  SetNumber(env, obj, "readErrors", c.read_errors);
  SetNumber(env, obj, "cached", c.cached);
  SetNumber(env, obj, "filtered", guard->filtered());
  return obj;
}

// supported() → { ok, reason, code }: can this process hold exec permission marks?
napi_value Supported(napi_env env, napi_callback_info /*info*/) {
  bool ok = false;
  int err = 0;
  std::string reason;
  int fd = fanotify_init(kInitFlags, kEventFFlags);
  if (fd < 0) {
    err = errno;
    switch (err) {
      case EPERM:
        reason = "fanotify_init: EPERM: permission events need CAP_SYS_ADMIN in the initial user namespace";
        break;
      case ENOSYS:
        reason = "fanotify_init: ENOSYS: the kernel is built without fanotify (CONFIG_FANOTIFY)";
        break;
      case EINVAL:
        reason = "fanotify_init: EINVAL: the kernel has no permission events (CONFIG_FANOTIFY_ACCESS_PERMISSIONS)";
        break;
      default:
        reason = std::string("fanotify_init: ") + ErrnoName(err) + " (" + strerror(err) + ")";
    }
  } else {
    // An inode mark on "/" for FAN_OPEN_EXEC_PERM tells whether the kernel knows that event
    // (Linux 5.0+) without watching anything: a directory is never opened for exec.
    if (fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN_EXEC_PERM, AT_FDCWD, "/") < 0) {
      err = errno;
      if (err == EINVAL) {
        reason = "fanotify_mark: EINVAL: the kernel has no FAN_OPEN_EXEC_PERM (needs Linux 5.0 or later)";
      } else if (err == EPERM) {
        reason = "fanotify_mark: EPERM: permission marks need CAP_SYS_ADMIN";
      } else {
        reason = std::string("fanotify_mark: ") + ErrnoName(err) + " (" + strerror(err) + ")";
      }
    } else {
      ok = true;
      reason = "fanotify FAN_OPEN_EXEC_PERM is available";
    }
    close(fd);
  }
  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_get_boolean(env, ok, &v);
  napi_set_named_property(env, obj, "ok", v);
  napi_create_string_utf8(env, reason.c_str(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "reason", v);
  napi_create_string_utf8(env, ok ? "" : ErrnoName(err), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "code", v);
  return obj;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"mark", nullptr, Mark, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"respond", nullptr, Respond, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"close", nullptr, CloseGuard, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"clearCache", nullptr, ClearCacheJs, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stats", nullptr, Stats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"markOpen", nullptr, MarkOpen, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setPrefixes", nullptr, SetPrefixesJs, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_value cls;
  napi_define_class(env, "ExecGuard", NAPI_AUTO_LENGTH, Construct, nullptr,
                    sizeof methods / sizeof methods[0], methods, &cls);
  napi_set_named_property(env, exports, "ExecGuard", cls);
  napi_value fn;
  napi_create_function(env, "supported", NAPI_AUTO_LENGTH, Supported, nullptr, &fn);
  napi_set_named_property(env, exports, "supported", fn);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
