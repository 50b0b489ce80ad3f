#!/usr/bin/env bash
# Cold and warm image scan: wall time and peak memory of the real CLI on the
# ~400 MB Debian benchmark image (bench/fixtures/debian-large.sh).
# Usage: bash bench/scan-image.sh [runs]   (needs root, dockerd for the first build, npm run build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
img=$(bash bench/fixtures/debian-large.sh)
[ -f dist/cli/main.js ] || npm run --silent build
source bench/lib.sh
series debian "$runs" "$img"
echo "image: $(du -m "$img" | cut -f1) MB, $(packages) packages, $runs runs each, $(nproc) cores"
printf '| image | scan | median wall (s) | max peak RSS (MB) |\n| --- | --- | --- | --- |\n'
row debian cold
row debian warm
