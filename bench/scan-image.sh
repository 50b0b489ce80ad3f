#!/usr/bin/env bash
# Cold and warm image scan: wall time and peak memory of the real CLI on the
# ~400 MB Debian benchmark image (bench/fixtures/debian-large.sh).
# Usage: bash bench/scan-image.sh [runs]   (needs root, dockerd for the first build, npm run build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
img=$(bash bench/fixtures/debian-large.sh)
[ -f dist/cli/main.js ] || npm run --silent build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
measure() { # measure CACHE_DIR → "seconds peak_kib"
  /usr/bin/time -f '%e %M' -o "$work/t" node dist/cli/main.js scan image "$img" --cache-dir "$1" --format json -o "$work/out.json" --quiet
  cat "$work/t"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
size=$(du -m "$img" | cut -f1)
pkgs=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$work/out.json','utf8')).packages.length)" 2>/dev/null || true)
: >"$work/cold"; : >"$work/warm"
for i in $(seq 1 "$runs"); do measure "$work/cold-$i" >>"$work/cold"; done
measure "$work/warm-cache" >/dev/null
for i in $(seq 1 "$runs"); do measure "$work/warm-cache" >>"$work/warm"; done
pkgs=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$work/out.json','utf8')).packages.length)")
echo "image: $(basename "$(dirname "$img")") ${size} MB, ${pkgs} packages, ${runs} runs each, $(nproc) cores"
printf '| scan | median wall (s) | max peak RSS (MB) |\n| --- | --- | --- |\n'
for k in cold warm; do
  wall=$(cut -d' ' -f1 "$work/$k" | median)
  rss=$(cut -d' ' -f2 "$work/$k" | sort -n | tail -1)
  printf '| %s | %s | %s |\n' "$k" "$wall" "$((rss / 1024))"
done
