#!/usr/bin/env bash
# Rebuilds examples/debian-mini.tar.gz, the image the README's first command scans:
# two layers made from real Debian bookworm packages (and pip's dist-info from Debian's pip wheel), unpacked with dpkg-deb (no
# maintainer script runs), their control data written to a dpkg status file as
# dpkg would, imported into dockerd and saved with `docker save`. Needs root,
# dockerd and network access to the Debian archive.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download base-files debianutils zlib1g liblzma5 libbz2-1.0 hello python3-pip-whl >/dev/null 2>&1
layer() { # layer DIR PKG... : unpack packages into DIR and record them as installed
  local dir=$1; shift
  mkdir -p "$dir/var/lib/dpkg/info"
  for deb in "$@"; do
    local f; f=$(ls "$deb"_*.deb)
    dpkg-deb -x "$f" "$dir"
    local name; name=$(dpkg-deb -f "$f" Package)
    local arch; arch=$(dpkg-deb -f "$f" Architecture)
    { echo "Package: $name"; echo "Status: install ok installed"; dpkg-deb -f "$f" | grep -v '^Package:'; echo; } >>"$dir/var/lib/dpkg/status"
    local list="$dir/var/lib/dpkg/info/$name.list"
    [ "$arch" = all ] || list="$dir/var/lib/dpkg/info/$name:$arch.list"
    dpkg-deb -c "$f" | awk '{print $6}' | sed 's#^\./#/#; s#/$##; s#^$#/.#' >"$list"
  done
}
layer l1 base-files debianutils zlib1g liblzma5 libbz2-1.0
mkdir -p l2/var/lib/dpkg
cp l1/var/lib/dpkg/status l2/var/lib/dpkg/status
layer l2 hello
# a pip-installed package no dpkg package owns: pip's own dist-info, from Debian's real wheel
dpkg-deb -x python3-pip-whl_*.deb whl
site=l2/usr/local/lib/python3.11/site-packages
mkdir -p "$site"
python3 - "$site" whl/usr/share/python-wheels/pip-*.whl <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[2])
z.extractall(sys.argv[1], [n for n in z.namelist() if '.dist-info/' in n])
PY
tar --numeric-owner -C l1 -cf l1.tar .
tar --numeric-owner -C l2 -cf l2.tar .
curl -sf --unix-socket /var/run/docker.sock -X POST -H 'Content-Type: application/x-tar' \
  --data-binary @l1.tar 'http/v1.41/images/create?fromSrc=-&repo=bulwark-example/debian-mini&tag=base' >/dev/null
printf 'FROM bulwark-example/debian-mini:base\nADD l2.tar /\n' >Dockerfile
tar -cf ctx.tar Dockerfile l2.tar
curl -sf --unix-socket /var/run/docker.sock -X POST -H 'Content-Type: application/x-tar' \
  --data-binary @ctx.tar 'http/v1.41/build?t=bulwark-example/debian-mini:1.0&rm=1' >/dev/null
curl -sf --unix-socket /var/run/docker.sock 'http/v1.41/images/bulwark-example%2Fdebian-mini:1.0/get' | gzip -9 >"$here/debian-mini.tar.gz"
curl -sf --unix-socket /var/run/docker.sock -X DELETE 'http/v1.41/images/bulwark-example%2Fdebian-mini:1.0' >/dev/null
curl -sf --unix-socket /var/run/docker.sock -X DELETE 'http/v1.41/images/bulwark-example%2Fdebian-mini:base' >/dev/null
ls -la "$here/debian-mini.tar.gz"
