// Bulwark's default runtime rules: a rule file like any user's, loaded first. User rule
// files load after it: a rule, macro or list with the same name replaces it; "append: true"
// extends it; "enabled: false" turns a rule off. Fields: evt.type (exec, open, connect,
// setuid (priv.cause: syscall, setuid-exec, setgid-exec, file-caps, capset; user.euid),
// container_exec), proc.name, proc.exe, proc.args, proc.cmdline, proc.pid,
// proc.ppid, proc.pname, proc.tty (the controlling terminal, as audit names it: pts0; absent
// without one), proc.vpid (the pid inside the container: 1 is its entrypoint), proc.prev_name
// (what the process ran before this exec, when the agent saw it), proc.pexe and
// proc.shell_unlearned (a shell's parent program, and whether the workload's profile, out of
// Learn, never saw it start a shell), proc.stdin and proc.stdout (network, socket, pipe, tty,
// null, file: what its standard input and output were as it started), proc.drift,
// proc.drift_reason, proc.decoded_pipe (a decoder and a stdin shell started together by one
// parent: … | base64 -d | sh), user.uid, user.loginuid, user.name, container.id,
// container.name, container.image, fd.name, fd.directory, fd.write, net.address, net.port,
// evt.success.
//
// System calls (default-syscall-rules.ts): evt.type = syscall, with syscall.name (socket,
// ptrace, mount, umount2, fsopen, fsmount, move_mount, open_tree, setns, unshare, init_module,
// finit_module, delete_module, bpf, memfd_create), syscall.family (socket, ptrace, mount,
// namespace, module, bpf, memfd), syscall.args (the call as a line), evt.success, evt.res
// (return value or -errno), and the decoded arguments: socket.family (AF_PACKET, AF_INET …),
// socket.type (SOCK_RAW …), socket.flags, socket.protocol; ptrace.request (PTRACE_ATTACH …),
// ptrace.pid, ptrace.target (the traced program's name); mount.target, mount.flags (MS_…,
// MNT_…), mount.source and mount.fstype (read from the process's mountinfo after a mount that
// worked); ns.namespaces (mnt,uts …; "any" for setns with 0), ns.fd, ns.host_namespaces (those
// the process shares with pid 1 after the call); module.op (load, unload), module.fd;
// bpf.cmd, bpf.prog_id; memfd.flags. A connect to a unix socket: evt.type = connect with
// net.family = unix, net.address (the socket's path) and net.filename (its last part).
//
// The file rules (default-file-rules.ts) get evt.type open (a write open below a watched
// directory, any open on the container's procfs) or file (file.operation unlink, rename, link,
// create — mkdir, mknod —, chmod, chown, truncate, xattr), with fd.name, fd.filename,
// fd.directory, fd.dirs (every directory above the file: "below /etc" is `fd.dirs in (…)`),
// fd.write, fd.create (the open created the file), fd.truncate (O_TRUNC), fd.target (a link's
// target, a rename's new name) and fd.target_dirs, file.mode (chmod, octal text) and
// file.setid, fd.other_proc (a /proc/PID/… file of another process), evt.success.
//
// The agent's own detectors report through rules too, so a rule file can tune them (severity,
// output, tags) or turn them off (`- rule: Fork bomb` / `enabled: false`). Their events:
// evt.type = profile_violation (proc.exe, proc.pid, profile.reason, profile.mode),
// fork_bomb (fork.phase start|end, fork.reason, fork.summary, fork.processes, fork.rate,
// fork.pids_limit; at the end fork.peak, fork.killed, fork.program — see "Fork guard" below),
// resource_threshold (resource.name, resource.value, resource.threshold, resource.usage),
// profile_learned (profile.key, profile.mode, profile.programs), file_profile_violation
// (proc.exe, proc.pid, fd.name, fd.directory, fd.write, fd.access, profile.reason,
// profile.mode: the file profiles of protected_paths / protected_write_paths); all but
// profile_learned with the container fields. What the agent does about them (deny, kill, contain) is set by the profile
// mode and the agent's options, not by the rule's action.
//
// Fork guard (detectors/fork-guard.ts): every container's pids cgroup is sampled every 100 ms.
// A bomb is: any fork refused at the pids limit since the sample before; or processes at 80% of
// the pids limit; or, with no limit, 500 processes; or 200 new processes per second between two
// samples. It then caps the pids limit at the count it saw and kills, with the container frozen,
// the program with the most processes started since the container was last calm (not its first
// process). One event as the bomb starts (processes, rate, pids limit), none while it lasts, one
// when nothing was left to kill and the counters were normal for 1 s (processes killed, the program).

import { PROTECTED_PATHS, PROTECTED_WRITE_PATHS } from '../protected-paths.js';
import { SENSITIVE_FILES } from '../sensitive-files.js';
import { FILE_RULES_YAML } from './default-file-rules.js';
import { PROCESS_RULES_YAML } from './default-process-rules.js';
import { SYSCALL_RULES_YAML } from './default-syscall-rules.js';

const BASE_RULES_YAML = `
- list: shell_binaries
  items: [sh, bash, dash, ash, zsh, ksh, mksh, csh, tcsh, fish, busybox]

- list: sensitive_files
  items: [${SENSITIVE_FILES.join(', ')}]

- list: binary_dirs
  items: [/bin, /sbin, /usr/bin, /usr/sbin, /usr/local/bin, /usr/local/sbin, /lib, /usr/lib]

- list: protected_paths
  items: [${PROTECTED_PATHS.join(', ')}]

- list: protected_write_paths
  items: [${PROTECTED_WRITE_PATHS.join(', ')}]

- list: backdoor_ports
  items: [4444, 1337, 31337, 5555, 6666, 6667, 3333, 14444, 45700]

- list: network_tools
  items: [nc, ncat, netcat, nmap, masscan, socat, tcpdump]

- macro: container
  condition: container.id exists

- macro: spawned_process
  condition: evt.type = exec

- macro: open_read
  condition: evt.type = open and fd.write = false

- macro: open_write
  condition: evt.type = open and fd.write = true

- rule: Drifted executable
  desc: >-
    A program that is not part of the image was executed: written or changed in the container's
    layer (proc.drift_reason written; a copy-up by chown, chmod or touch that keeps the image's
    bytes is not drift), or run from a tmpfs (tmpfs: /dev/shm, --tmpfs) or a volume or bind
    mount (volume). Programs run from a memfd are "Fileless execution".
  condition: spawned_process and container and proc.drift = true and proc.drift_reason != memfd
  output: "drift: %proc.exe executed in %container.name (%container.image), not part of the image (%proc.drift_reason; pid %proc.pid, parent %proc.pname)"
  severity: CRITICAL
  stride: Tampering
  attack: T1105
  tags: [drift, process]

- rule: Fileless execution
  desc: >-
    A program that never was a file ran: executed from an anonymous memory file (memfd_create,
    then execveat or fexecve; its executable is "/memfd:NAME (deleted)"), a way to run a
    downloaded payload without writing it to disk.
  condition: spawned_process and container and proc.drift_reason = memfd
  output: "fileless: %proc.exe executed from memory in %container.name (%container.image) (pid %proc.pid, parent %proc.pname, command %proc.cmdline)"
  severity: CRITICAL
  stride: Tampering
  attack: T1620
  tags: [drift, process, fileless]

- rule: Shell in container
  desc: >-
    Someone at a shell prompt in a container: a shell with a terminal (docker exec -it, kubectl
    exec -it), the first of its session (not one its own shell started or became), and not the container's
    own first process (docker run -it IMAGE sh is the workload itself). A container's entrypoint
    and the scripts it runs have no terminal: they never fire.
  condition: >-
    spawned_process and container and proc.name in (shell_binaries) and proc.tty exists
    and not proc.pname in (shell_binaries) and not proc.prev_name in (shell_binaries) and proc.vpid != 1
  output: "shell %proc.exe started in %container.name (%container.image) on terminal %proc.tty: %proc.cmdline (parent %proc.pname, uid %user.uid)"
  severity: MEDIUM
  stride: ElevationOfPrivilege
  attack: T1059.004
  tags: [shell, process]

- rule: Sensitive file read
  desc: A file holding credentials was opened for reading inside a container.
  condition: open_read and container and (fd.name in (sensitive_files) or fd.directory in (sensitive_files))
  output: "%fd.name read by %proc.exe in %container.name (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: InformationDisclosure
  attack: T1003.008
  tags: [file]

- rule: Sensitive file written
  desc: A credential file was written inside a container (program directories are "Write below binary dir").
  condition: open_write and container and (fd.name in (sensitive_files) or fd.directory in (sensitive_files))
  output: "%fd.name written by %proc.exe in %container.name (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: Tampering
  attack: T1565.001
  tags: [file]

- rule: Connection to a suspicious port
  desc: A process in a container connected to a port used by reverse shells, IRC bots and mining pools.
  condition: evt.type = connect and container and net.port in (backdoor_ports)
  output: "%proc.exe in %container.name (%container.image) connected to %net.address port %net.port (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: ElevationOfPrivilege
  attack: T1571
  tags: [network]

- rule: Network tool in container
  desc: A network scanning or relay tool ran inside a container.
  condition: spawned_process and container and proc.name in (network_tools)
  output: "network tool %proc.exe started in %container.name (%container.image): %proc.cmdline (uid %user.uid)"
  severity: MEDIUM
  stride: InformationDisclosure
  attack: T1046
  tags: [network, process]

- rule: Privilege change
  desc: >-
    A process in a container gained privileges by running a set-user-id or set-group-id
    program (its effective id changed) or a program with file capabilities. Dropping
    privileges (a server's setuid to its own user, capset dropping capabilities) does not fire.
  condition: evt.type = setuid and container and priv.cause in (setuid-exec, setgid-exec, file-caps)
  output: "%proc.exe in %container.name (%container.image) gained privileges by %priv.cause: effective uid %user.euid, uid %user.uid (login uid %user.loginuid)"
  severity: HIGH
  stride: ElevationOfPrivilege
  attack: T1548.001
  tags: [privilege]

- rule: Container exec session
  desc: Someone ran a command in a container through the container engine (docker exec).
  condition: evt.type = container_exec
  output: "exec session in %container.name (%container.image): %proc.cmdline by %user.name"
  severity: LOW
  stride: Repudiation
  attack: T1609
  tags: [user-access]

- rule: Unlisted executable
  desc: A program outside the workload's profile ran in a container (or was refused, in protect mode).
  condition: evt.type = profile_violation
  output: "%proc.exe ran in %container.name (%container.image): %profile.reason"
  severity: HIGH
  stride: ElevationOfPrivilege
  attack: T1204
  tags: [profile, process, builtin]

- rule: Unlisted file access
  desc: A program opened a protected file (/etc, ~/.ssh, credentials; binary and library directories for writes) in a way the workload's file profile does not list (or was refused, in protect mode).
  condition: evt.type = file_profile_violation
  output: "%proc.exe opened %fd.name for %fd.access in %container.name (%container.image): %profile.reason"
  severity: HIGH
  stride: Tampering
  attack: T1565.001
  tags: [profile, file, builtin]

- rule: Fork bomb
  desc: A container's process count raced up or kept hitting its pids limit; the agent caps it and kills the copies. One event when it starts, one when it is over.
  condition: evt.type = fork_bomb
  output: "fork bomb in %container.name (%container.image) %fork.summary"
  severity: CRITICAL
  stride: DenialOfService
  attack: T1499.001
  tags: [resources, builtin]

- rule: Resource threshold
  desc: A container went over a CPU, memory, process or I/O threshold set for the agent.
  condition: evt.type = resource_threshold
  output: "%container.name (%container.image) uses %resource.usage"
  severity: MEDIUM
  stride: DenialOfService
  attack: T1496
  tags: [resources, builtin]

- rule: Profile learned
  desc: A workload's learning period ended; its profile now allows only what it learned.
  condition: evt.type = profile_learned
  output: "learning ended for %profile.key: %profile.programs programs allowed, now in %profile.mode mode"
  severity: LOW
  stride: Repudiation
  attack: T1204
  tags: [profile, builtin]
`;

/** The base rules, then one file per family of techniques (files, system calls, programs). */
export const DEFAULT_RULES_YAML = [BASE_RULES_YAML, FILE_RULES_YAML, SYSCALL_RULES_YAML, PROCESS_RULES_YAML].join('\n');
