#!/usr/bin/env bash
# Installs (Debian packages, as root) and starts the real parts Bulwark and its tests use:
# Docker Engine, PostgreSQL (the server's store, loopback only), skopeo, rpm tooling, Berkeley DB utilities, debootstrap, zstd, gcc (a static test program).
# Idempotent: installs only what is missing and starts dockerd only when it is not answering.
set -euo pipefail
pkgs=(docker.io skopeo rpm db-util debootstrap zstd ca-certificates golang-go binutils openjdk-17-jdk-headless zip unzip python3 time python3-packaging libmaven3-core-java ruby php-cli php-composer-semver docker-registry apache2-utils openssl python3-nacl python3-cryptography python3-securesystemslib python3-pymacaroons auditd rsyslog rsyslog-openssl busybox-static gcc libc6-dev postgresql)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -q '^installed$' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "engines: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! curl -sf --unix-socket /var/run/docker.sock http/_ping >/dev/null 2>&1; then
  echo "engines: starting dockerd"
  # no iptables: tests only use containers with no network or networks they create;
  # its own session, so the engine outlives the shell (and process group) that started it
  setsid nohup dockerd --iptables=false >/var/log/bulwark-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    curl -sf --unix-socket /var/run/docker.sock http/_ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -sf --unix-socket /var/run/docker.sock http/_ping >/dev/null || { tail -20 /var/log/bulwark-dockerd.log >&2; exit 1; }
fi
# Debian's cluster listens on localhost only (listen_addresses' default); started when down
if command -v pg_lsclusters >/dev/null; then
  pg_lsclusters -h | while read -r ver name _ status _; do
    [ "$status" = online ] || { echo "engines: starting PostgreSQL $ver/$name"; pg_ctlcluster "$ver" "$name" start; }
  done
fi
echo "engines: ready"
