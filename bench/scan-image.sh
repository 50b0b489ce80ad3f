#!/usr/bin/env bash
# Cold and warm image scan: wall time and peak memory of the real CLI on the
# ~400 MB Debian benchmark image (bench/fixtures/debian-large.sh), without and with
# vulnerability matching (debian → vuln rows).
# Usage: bash bench/scan-image.sh [runs]   (needs root, dockerd for the first build, npm run build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
img=$(bash bench/fixtures/debian-large.sh)
[ -f dist/cli/main.js ] || npm run --silent build
source bench/lib.sh
series debian "$runs" "$img" --scanners pkg
pkgs=$(packages)
# the same with vulnerability matching against the real feeds in ../shared/data
node dist/cli/main.js db import ../shared/data --db "$work/vuln.db" >/dev/null
series vuln "$runs" "$img" --scanners pkg,vuln --db "$work/vuln.db"
echo "image: $(du -m "$img" | cut -f1) MB, $pkgs packages, $runs runs each, $(nproc) cores"
printf '| scan | cache | median wall (s) | max peak RSS (MB) |\n| --- | --- | --- | --- |\n'
row debian cold
row debian warm
row vuln cold
row vuln warm
