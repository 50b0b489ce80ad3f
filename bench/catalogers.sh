#!/usr/bin/env bash
# What the language catalogers add: the debian-large image plus a real ~1,000-package
# node_modules layer (bench/fixtures/node-1k.sh), scanned with OS catalogers only and
# with all catalogers, cold and warm. Target: all catalogers add < 30% to the warm scan.
# Usage: bash bench/catalogers.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
img=$(bash bench/fixtures/node-1k.sh)
[ -f dist/cli/main.js ] || npm run --silent build
source bench/lib.sh
series os "$runs" "$img" --pkg-types os
series all "$runs" "$img" --pkg-types os,library
echo "image: $(du -m "$img" | cut -f1) MB, $(packages) packages with all catalogers, $runs runs each, $(nproc) cores"
printf '| catalogers | scan | median wall (s) | max peak RSS (MB) |\n| --- | --- | --- | --- |\n'
for k in cold warm; do row os $k; row all $k; done
os=$(cut -d' ' -f1 "$work/os-warm" | median); all=$(cut -d' ' -f1 "$work/all-warm" | median)
echo "warm overhead of language catalogers: $(awk -v a="$all" -v o="$os" 'BEGIN {printf "%.0f%%", (a - o) / o * 100}')"
