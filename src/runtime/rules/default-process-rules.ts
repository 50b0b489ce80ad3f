// Default rules about programs run at runtime: package managers, remote copy tools, decoded
// payloads, credential searches, shells started by services. Appended to the base rules
// (default-rules.ts); the same YAML a user's rule file holds, so each list can be appended to
// and each rule overridden or disabled.

export const PROCESS_RULES_YAML = `
- list: package_managers
  items: [apt, apt-get, aptitude, dpkg, apk, yum, dnf, dnf-3, microdnf, rpm, zypper, pacman, pip, pip3, gem, npm, yarn, pnpm, composer]

- list: remote_copy_tools
  items: [scp, sftp, rsync, ftp, tftp, lftp, dcp]

- list: service_binaries
  items: [nginx, httpd, apache2, lighttpd, caddy, haproxy, envoy, php-fpm, php-fpm7.4, php-fpm8.1, php-fpm8.2, php-fpm8.3, uwsgi, gunicorn, mysqld, mariadbd, postgres, redis-server, mongod, memcached, tomcat, catalina.sh]

- list: file_search_tools
  items: [find, grep, egrep, fgrep, rg, ag, ack, locate, mlocate]

- macro: credential_search_terms
  condition: >-
    proc.cmdline contains id_rsa or proc.cmdline contains id_dsa or proc.cmdline contains id_ecdsa
    or proc.cmdline contains id_ed25519 or proc.cmdline contains "PRIVATE KEY"
    or proc.cmdline contains ".aws/credentials" or proc.cmdline contains aws_secret_access_key
    or proc.cmdline contains ".kube/config" or proc.cmdline contains "gcloud/credentials"
    or proc.cmdline contains ".docker/config.json" or proc.cmdline contains wallet.dat
    or proc.cmdline contains ".git-credentials" or proc.cmdline contains ".pgpass"

- list: reverse_shell_programs
  items: [sh, bash, dash, ash, zsh, ksh, csh, tcsh, fish, busybox, python, python2, python3, perl, ruby, php, lua, node]

- rule: Reverse shell
  desc: >-
    A shell or interpreter started with its input or output on a network connection (nc -e
    /bin/sh, bash -i >& /dev/tcp/…, a socket dup'ed onto stdin): someone elsewhere types its
    commands. A shell fed by a pipe, a file or a terminal does not fire.
  condition: >-
    spawned_process and container and proc.name in (reverse_shell_programs)
    and (proc.stdin = network or proc.stdout = network)
  output: "reverse shell %proc.exe in %container.name (%container.image): %proc.cmdline (stdin %proc.stdin, stdout %proc.stdout, parent %proc.pname, uid %user.uid)"
  severity: CRITICAL
  stride: ElevationOfPrivilege
  attack: T1059.004
  tags: [process, network, shell]

- rule: Package manager in container
  desc: >-
    A package manager ran in a running container: software installed or changed after the image
    was built (and scanned) — tools an intruder brings, or a container mutated by hand. Only the
    first of a chain fires (apt-get, not the dpkg it starts).
  condition: spawned_process and container and proc.name in (package_managers) and not proc.pname in (package_managers)
  output: "package manager %proc.exe ran in %container.name (%container.image): %proc.cmdline (parent %proc.pname, uid %user.uid)"
  severity: MEDIUM
  stride: Tampering
  attack: T1072
  tags: [process, software]

- rule: Remote copy tool in container
  desc: A program that copies files to or from another host (scp, rsync, sftp, ftp) ran in a container — data taken out, or tools brought in.
  condition: spawned_process and container and proc.name in (remote_copy_tools)
  output: "remote copy tool %proc.exe ran in %container.name (%container.image): %proc.cmdline (parent %proc.pname, uid %user.uid)"
  severity: MEDIUM
  stride: InformationDisclosure
  attack: T1105
  tags: [process, network]

- rule: Decoded payload piped to a shell
  desc: >-
    Encoded text was decoded straight into a shell (echo … | base64 -d | sh): how droppers hide
    a script from command-line logging: a decoder and a shell reading stdin, started by one
    process within 2 s. Decoding to a file, or a shell fed by anything else, does not fire; a
    script that does both within 2 s does (the two are gone before /proc can show their pipes).
  condition: spawned_process and container and proc.decoded_pipe = true
  output: "decoded payload piped to a shell in %container.name (%container.image): %proc.cmdline (pid %proc.pid, parent %proc.pname)"
  severity: HIGH
  stride: Tampering
  attack: T1140
  tags: [process, obfuscation]

- rule: Credential search in container
  desc: A search for private keys or credential files (find / -name id_rsa, grep -r "PRIVATE KEY") ran in a container.
  condition: spawned_process and container and proc.name in (file_search_tools) and credential_search_terms
  output: "credential search in %container.name (%container.image): %proc.cmdline (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: InformationDisclosure
  attack: T1552.004
  tags: [process, credentials]

- rule: Shell spawned by a service
  desc: >-
    A web, application or database server started a shell: the mark of command injection or a
    web shell. A server is one of service_binaries, or — once its workload's profile has left
    Learn — any program of the profile that never started a shell while learning
    (proc.shell_unlearned). Interactive shells are "Shell in container"; scripts starting
    shells, and the programs that did so while learning, do not fire.
  condition: >-
    spawned_process and container and proc.name in (shell_binaries)
    and (proc.pname in (service_binaries) or proc.shell_unlearned = true)
  output: "shell %proc.exe started by %proc.pname in %container.name (%container.image): %proc.cmdline (pid %proc.pid, uid %user.uid)"
  severity: HIGH
  stride: ElevationOfPrivilege
  attack: T1505.003
  tags: [process, shell]
`;
