// Default rules about system calls that containers rarely make: packet and raw sockets, ptrace, mount, namespaces, kernel modules, bpf.
// Appended to the base rules (default-rules.ts); the same YAML a user's rule file holds.
//
// Their events (evt.type = syscall, see default-rules.ts for the fields) come from audit rules
// filtered in the kernel on the calls' arguments (audit/rules.ts), so normal work never reaches
// the agent: TCP, UDP and netlink sockets, PTRACE_TRACEME and a debugger's reads, unshare without
// a new namespace. Failed attempts fire too (evt.success = false: a refused escape is still an
// attempt). The runtime's own mounts and namespace joins while it starts a container are not
// reported (agent/syscall-activity.ts). The allowed_* lists are the tuning hooks: append
// program names (proc.name) or paths (proc.exe) that may make these calls.
//
// The container escape view: a privileged container mounting the host's disk ("Mount in
// container", with mount.target and, once mounted, mount.source and mount.fstype) or entering
// pid 1's namespaces ("Namespace change in container", with ns.host_namespaces: the types it
// now shares with the host's init), loading a kernel module or a BPF program, or talking to the
// engine's socket: each rule tagged container-escape.
//
// memfd_create alone is no rule that is on: runtimes (JIT compilers, Chromium, systemd tools)
// make memory files all day; executing one is "Fileless execution". "Memory file created" is
// there, off, for those who want the precursor too.

export const SYSCALL_RULES_YAML = `
- list: allowed_packet_socket_programs
  items: []

- list: allowed_raw_socket_programs
  items: []

- list: allowed_ptrace_programs
  items: []

- list: allowed_mount_programs
  items: []

- list: allowed_namespace_programs
  items: []

- list: allowed_module_programs
  items: []

- list: allowed_bpf_programs
  items: []

- list: allowed_memfd_programs
  items: []

- list: container_engine_sockets
  items: [docker.sock, containerd.sock, cri-dockerd.sock, crio.sock, podman.sock]

- list: allowed_engine_socket_programs
  items: []

- list: allowed_engine_socket_images
  items: []

- list: ptrace_injection_requests
  items: [PTRACE_ATTACH, PTRACE_SEIZE, PTRACE_POKETEXT, PTRACE_POKEDATA, PTRACE_POKEUSER, PTRACE_SETREGS, PTRACE_SETREGSET]

- macro: container_syscall
  condition: evt.type = syscall and container

- rule: Packet socket opened
  desc: >-
    A process in a container opened an AF_PACKET socket: it can read every frame on the
    container's interfaces (sniffing credentials and other containers' traffic on a shared
    network) and send forged ones.
  condition: container_syscall and syscall.name = socket and socket.family = AF_PACKET and not (proc.name in (allowed_packet_socket_programs) or proc.exe in (allowed_packet_socket_programs))
  output: "packet socket opened by %proc.exe in %container.name (%container.image): %syscall.args = %evt.res (pid %proc.pid, parent %proc.pname, uid %user.uid)"
  severity: HIGH
  stride: InformationDisclosure
  attack: T1040
  tags: [network, syscall]

- rule: Raw socket opened
  desc: >-
    A process in a container opened a raw IP socket (SOCK_RAW outside the packet and netlink
    families): forged packets, ICMP tunnels, scans below TCP. busybox ping does this; iputils
    ping and normal servers do not.
  condition: container_syscall and syscall.name = socket and socket.type = SOCK_RAW and socket.family != AF_PACKET and socket.family != AF_NETLINK and not (proc.name in (allowed_raw_socket_programs) or proc.exe in (allowed_raw_socket_programs))
  output: "raw socket opened by %proc.exe in %container.name (%container.image): %syscall.args = %evt.res (pid %proc.pid, parent %proc.pname, uid %user.uid)"
  severity: MEDIUM
  stride: Spoofing
  attack: T1095
  tags: [network, syscall]

- rule: Process injection via ptrace
  desc: >-
    A process in a container attached to another (PTRACE_ATTACH, PTRACE_SEIZE) or wrote to a
    traced process's memory or registers: code injection into a running program.
  condition: container_syscall and syscall.name = ptrace and ptrace.request in (ptrace_injection_requests) and not (proc.name in (allowed_ptrace_programs) or proc.exe in (allowed_ptrace_programs))
  output: "ptrace by %proc.exe in %container.name (%container.image): %syscall.args = %evt.res (pid %proc.pid, parent %proc.pname, uid %user.uid)"
  severity: HIGH
  stride: ElevationOfPrivilege
  attack: T1055.008
  tags: [process, syscall]

- rule: Mount in container
  desc: >-
    A process in a container mounted or unmounted a file system (mount, umount2, or the new
    mount API: fsopen, fsmount, move_mount, open_tree). In a privileged container mounting the
    host's disk is the classic escape.
  condition: container_syscall and syscall.family = mount and not (proc.name in (allowed_mount_programs) or proc.exe in (allowed_mount_programs))
  output: "%syscall.name by %proc.exe in %container.name (%container.image): %syscall.args = %evt.res, source %mount.source type %mount.fstype (pid %proc.pid, parent %proc.pname, uid %user.uid)"
  severity: HIGH
  stride: ElevationOfPrivilege
  attack: T1611
  tags: [container-escape, syscall]

- rule: Namespace change in container
  desc: >-
    A process in a container joined other namespaces (setns, as nsenter does) or made new ones
    (unshare). Entering pid 1's namespaces from a privileged or host-pid container is an escape
    to the host: ns.host_namespaces lists those it now shares with the host's init.
  condition: container_syscall and syscall.family = namespace and not (proc.name in (allowed_namespace_programs) or proc.exe in (allowed_namespace_programs))
  output: "%syscall.name by %proc.exe in %container.name (%container.image): %syscall.args = %evt.res, now sharing with the host: %ns.host_namespaces (pid %proc.pid, parent %proc.pname, uid %user.uid)"
  severity: HIGH
  stride: ElevationOfPrivilege
  attack: T1611
  tags: [container-escape, syscall]

- rule: Kernel module loaded from container
  desc: A process in a container loaded (init_module, finit_module) or unloaded (delete_module) a kernel module, or tried to.
  condition: container_syscall and syscall.family = module and not (proc.name in (allowed_module_programs) or proc.exe in (allowed_module_programs))
  output: "kernel module %module.op by %proc.exe in %container.name (%container.image): %syscall.args = %evt.res (pid %proc.pid, parent %proc.pname, uid %user.uid)"
  severity: CRITICAL
  stride: ElevationOfPrivilege
  attack: T1547.006
  tags: [container-escape, syscall]

- rule: BPF program loaded from container
  desc: >-
    A process in a container loaded a BPF program (bpf BPF_PROG_LOAD), kernel code that can
    read other processes' data, hide activity or change network traffic.
  condition: container_syscall and syscall.name = bpf and bpf.cmd = BPF_PROG_LOAD and not (proc.name in (allowed_bpf_programs) or proc.exe in (allowed_bpf_programs))
  output: "BPF program loaded by %proc.exe in %container.name (%container.image): %syscall.args = %evt.res, program id %bpf.prog_id (pid %proc.pid, parent %proc.pname, uid %user.uid)"
  severity: HIGH
  stride: Tampering
  attack: T1014
  tags: [container-escape, syscall]

- rule: Docker socket accessed from a container
  desc: >-
    A process in a container connected to a container engine's socket (docker.sock,
    containerd.sock …; bind-mounted in): whoever talks to it can start a privileged container
    on the host.
  condition: evt.type = connect and container and net.family = unix and net.filename in (container_engine_sockets) and not (proc.name in (allowed_engine_socket_programs) or proc.exe in (allowed_engine_socket_programs) or container.image in (allowed_engine_socket_images))
  output: "engine socket %net.address connected to by %proc.exe in %container.name (%container.image), success %evt.success (pid %proc.pid, parent %proc.pname, uid %user.uid)"
  severity: CRITICAL
  stride: ElevationOfPrivilege
  attack: T1611
  tags: [container-escape, network]

- rule: Memory file created
  desc: >-
    A process in a container made an anonymous memory file (memfd_create), the first step of
    fileless execution. Off by default (runtimes make them all day; running one is "Fileless
    execution"); turn it on with enabled: true.
  condition: container_syscall and syscall.name = memfd_create and not (proc.name in (allowed_memfd_programs) or proc.exe in (allowed_memfd_programs))
  output: "memory file created by %proc.exe in %container.name (%container.image): %syscall.args = %evt.res (pid %proc.pid, parent %proc.pname)"
  severity: LOW
  stride: Tampering
  attack: T1620
  enabled: false
  tags: [fileless, syscall]
`;
