// Default rules about changes to files: writes below system, program and configuration directories, set-id bits, persistence, evidence removal, credential access.
// Appended to the base rules (default-rules.ts); the same YAML a user's rule file holds.
//
// Their events come from the file rules' audit watches (audit/file-rules.ts): each container's
// own /etc, binary and library directories, /root, /home, /var/spool/cron and /var/log (those
// that exist when it starts), its procfs, and host-wide set-id chmods, links and the cgroup v1
// release_agent files. Each technique has one rule, and the rules do not overlap: a path a
// specific rule covers (shell rc files, cron and init, authorized_keys) is left out of the
// generic ones (below /etc, below binary dirs).

export const FILE_RULES_YAML = `
- list: etc_dirs
  items: [/etc]

- list: shell_rc_files
  items: [/etc/profile, /etc/bash.bashrc, /etc/bashrc, /etc/zshrc, /etc/zsh/zshrc, /etc/zprofile, /etc/zshenv, /etc/environment, /etc/csh.cshrc, /etc/csh.login, /etc/ksh.kshrc]

- list: shell_rc_dirs
  items: [/etc/profile.d]

- list: home_dirs
  items: [/root, /home]

- list: shell_rc_names
  items: [.bashrc, .bash_profile, .bash_login, .bash_logout, .profile, .zshrc, .zprofile, .zshenv, .zlogin, .cshrc, .tcshrc, .kshrc, .mkshrc]

- list: shell_history_files
  items: [.bash_history, .ash_history, .zsh_history, .sh_history, .ksh_history, .history, .histfile, .python_history, .mysql_history, .psql_history]

- list: cron_init_dirs
  items: [/etc/cron.d, /etc/cron.hourly, /etc/cron.daily, /etc/cron.weekly, /etc/cron.monthly, /etc/periodic, /var/spool/cron, /etc/systemd, /lib/systemd/system, /usr/lib/systemd/system, /etc/init.d, /etc/rc.d, /etc/init]

- list: cron_init_files
  items: [/etc/crontab, /etc/anacrontab, /etc/rc.local, /etc/inittab]

- list: ssh_authorized_files
  items: [authorized_keys, authorized_keys2]

- list: log_dirs
  items: [/var/log]

- list: proc_sys_dirs
  items: [/proc/sys]

- macro: file_modified
  condition: >-
    evt.success = true and ((evt.type = open and fd.write = true) or
    (evt.type = file and file.operation in (unlink, rename, link, create, truncate)))

- macro: shell_rc_path
  condition: >-
    fd.name in (shell_rc_files) or fd.dirs in (shell_rc_dirs) or
    (fd.filename in (shell_rc_names) and fd.dirs in (home_dirs))

- macro: cron_init_path
  condition: fd.name in (cron_init_files) or fd.dirs in (cron_init_dirs)

- macro: ssh_authorized_path
  condition: fd.filename in (ssh_authorized_files) and fd.directory endswith /.ssh

- macro: persistence_path
  condition: shell_rc_path or cron_init_path or ssh_authorized_path or fd.name in (sensitive_files)

- macro: never_true
  condition: evt.type = never

# tuning hooks: append conditions (or lists) to allow a workload's own writes
- macro: user_known_write_below_etc
  condition: (never_true)

- macro: user_known_write_below_binary_dir
  condition: (never_true)

- macro: python_cache
  condition: fd.name contains /__pycache__/

- macro: log_rotation
  condition: fd.filename contains .log. or fd.filename endswith .gz

- macro: truncated_existing
  condition: evt.type = open and fd.truncate = true and fd.create = false

- rule: Write below etc
  desc: >-
    A file below /etc was written, created, renamed, linked or removed in a container after it
    started (system configuration tampering). Shell rc files, cron and init files and
    credential files have their own rules.
  condition: >-
    file_modified and container and (fd.dirs in (etc_dirs) or (file.operation = rename and fd.target_dirs in (etc_dirs)))
    and not persistence_path and not user_known_write_below_etc
  output: "%fd.name changed (%file.operation) by %proc.exe in %container.name (%container.image) (pid %proc.pid, parent %proc.pname, uid %user.uid)"
  severity: HIGH
  stride: Tampering
  attack: T1565.001
  tags: [file, etc]

- rule: Write below binary dir
  desc: >-
    A program or library directory (/bin, /sbin, /usr/bin, /usr/lib …) got a file written,
    created, renamed, linked or removed in a running container: a planted or replaced binary.
  condition: >-
    file_modified and container and not file.operation = create and
    (fd.dirs in (binary_dirs) or (file.operation = rename and fd.target_dirs in (binary_dirs)))
    and not cron_init_path and not python_cache and not user_known_write_below_binary_dir
  output: "%fd.name changed (%file.operation) by %proc.exe in %container.name (%container.image) (pid %proc.pid, parent %proc.pname, uid %user.uid)"
  severity: HIGH
  stride: Tampering
  attack: T1574
  tags: [file, binary]

- rule: Mkdir below binary dir
  desc: A directory (or device node) was created below a program or library directory in a running container.
  condition: evt.type = file and file.operation = create and evt.success = true and container and fd.dirs in (binary_dirs) and not python_cache
  output: "directory %fd.name created by %proc.exe in %container.name (%container.image) (pid %proc.pid, parent %proc.pname)"
  severity: MEDIUM
  stride: Tampering
  attack: T1036.005
  tags: [file, binary]

- rule: Shell configuration changed
  desc: A shell startup file (/etc/profile, /etc/profile.d, ~/.bashrc, ~/.profile …) was changed in a container; code in it runs with every login shell.
  condition: file_modified and container and shell_rc_path
  output: "shell configuration %fd.name changed (%file.operation) by %proc.exe in %container.name (%container.image) (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: Tampering
  attack: T1546.004
  tags: [file, persistence]

- rule: Cron or init persistence
  desc: A cron table or an init or systemd unit was changed in a container (scheduled or boot-time persistence).
  condition: file_modified and container and cron_init_path
  output: "%fd.name changed (%file.operation) by %proc.exe in %container.name (%container.image) (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: Tampering
  attack: T1053.003
  tags: [file, persistence]

- rule: SSH authorized keys changed
  desc: >-
    An ssh authorized_keys file was written, created or replaced in a container (a key added for
    persistent access). Those in sensitive_files (root's) are "Sensitive file written".
  condition: >-
    file_modified and container and (ssh_authorized_path or (file.operation = rename and fd.target endswith /.ssh/authorized_keys))
    and not fd.name in (sensitive_files)
  output: "%fd.name changed (%file.operation) by %proc.exe in %container.name (%container.image) (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: ElevationOfPrivilege
  attack: T1098.004
  tags: [file, persistence, ssh]

- rule: Set-id bit set
  desc: A file got its set-user-id or set-group-id bit set in a container (chmod u+s / g+s), a way back to root.
  condition: evt.type = file and file.operation = chmod and file.setid = true and evt.success = true and container
  output: "set-id bit set on %fd.name (mode %file.mode) by %proc.exe in %container.name (%container.image) (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: ElevationOfPrivilege
  attack: T1548.001
  tags: [file, privilege]

- rule: Shell history deleted
  desc: >-
    A shell history file in a home directory was removed, renamed or truncated in a container
    (evidence removal). A shell rewriting its own history file is not this.
  condition: >-
    container and evt.success = true and fd.filename in (shell_history_files) and
    ((evt.type = file and file.operation in (unlink, rename, truncate)) or (truncated_existing and not proc.name in (shell_binaries)))
  output: "shell history %fd.name removed (%file.operation) by %proc.exe in %container.name (%container.image) (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: Repudiation
  attack: T1070.003
  tags: [file, evidence]

- rule: Log cleared
  desc: >-
    A log file below /var/log was removed or truncated in a container (evidence removal).
    Writing or creating logs is not this; neither is removing rotated logs (*.log.N, *.gz).
  condition: >-
    container and evt.success = true and fd.dirs in (log_dirs) and not log_rotation and
    ((evt.type = file and file.operation in (unlink, truncate)) or truncated_existing)
  output: "log %fd.name cleared (%file.operation) by %proc.exe in %container.name (%container.image) (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: Repudiation
  attack: T1070.002
  tags: [file, evidence]

- rule: Symlink to sensitive file
  desc: A symbolic or hard link to a credential file was made in a container (a way to read it through a path nobody watches).
  condition: evt.type = file and file.operation = link and container and (fd.target in (sensitive_files) or fd.target_dirs in (sensitive_files))
  output: "link %fd.name to %fd.target made by %proc.exe in %container.name (%container.image) (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: InformationDisclosure
  attack: T1003.008
  tags: [file, credentials]

- rule: Process environment read
  desc: Another process's environment (/proc/PID/environ, secrets passed in variables) was opened in a container.
  condition: evt.type = open and container and fd.name glob /proc/*/environ and fd.other_proc = true
  output: "%fd.name read by %proc.exe in %container.name (%container.image) (pid %proc.pid, parent %proc.pname, uid %user.uid)"
  severity: HIGH
  stride: InformationDisclosure
  attack: T1552.007
  tags: [file, credentials, proc]

- rule: Process memory read
  desc: Another process's memory (/proc/PID/mem) was opened in a container (credential dumping, injection).
  condition: evt.type = open and container and fd.name glob /proc/*/mem and fd.other_proc = true
  output: "%fd.name opened by %proc.exe in %container.name (%container.image) (pid %proc.pid, parent %proc.pname, uid %user.uid)"
  severity: CRITICAL
  stride: InformationDisclosure
  attack: T1003.007
  tags: [file, credentials, proc]

- rule: Container escape via release_agent
  desc: >-
    A cgroup v1 release_agent file was opened for writing from a container: the program it
    names runs as root on the host when the cgroup empties.
  condition: evt.type = open and fd.write = true and container and fd.filename = release_agent
  output: "release_agent %fd.name opened for writing by %proc.exe in %container.name (%container.image) (pid %proc.pid, uid %user.uid)"
  severity: CRITICAL
  stride: ElevationOfPrivilege
  attack: T1611
  tags: [file, escape]

- rule: Kernel core_pattern changed
  desc: /proc/sys/kernel/core_pattern was opened for writing from a container; a "|program" there runs as root on the host at the next crash.
  condition: evt.type = open and fd.write = true and container and fd.name = /proc/sys/kernel/core_pattern
  output: "core_pattern opened for writing by %proc.exe in %container.name (%container.image) (pid %proc.pid, uid %user.uid)"
  severity: CRITICAL
  stride: ElevationOfPrivilege
  attack: T1611
  tags: [file, escape, kernel]

- rule: Kernel parameter changed
  desc: A kernel parameter below /proc/sys was opened for writing from a container (only privileged containers can).
  condition: evt.type = open and fd.write = true and container and fd.dirs in (proc_sys_dirs) and fd.name != /proc/sys/kernel/core_pattern
  output: "kernel parameter %fd.name opened for writing by %proc.exe in %container.name (%container.image) (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: Tampering
  attack: T1611
  tags: [file, kernel]
`;
