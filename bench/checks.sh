#!/usr/bin/env bash
# What secret scanning and the image/filesystem checks add: the debian-large image
# (bench/fixtures/debian-large.sh) scanned for packages only, with secrets, and with
# secrets and misconfigurations, cold and warm. Target: secrets add < 1 s to a warm scan
# of a ~400 MB image. Usage: bash bench/checks.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
[ -f dist/cli/main.js ] || npm run --silent build
img=$(bash bench/fixtures/debian-large.sh)
runs=${1:-5}
series pkg "$runs" "$img" --scanners pkg
series secret "$runs" "$img" --scanners pkg,secret
series all "$runs" "$img" --scanners pkg,secret,misconfig
echo "image: $(du -m "$img" | cut -f1) MB, $runs runs each, $(nproc) cores"
node -e "const c=JSON.parse(require('fs').readFileSync('$work/out.json','utf8')).checks??[];const by={};for(const x of c)by[x.checkId]=(by[x.checkId]??0)+1;console.log('results of the last run:',JSON.stringify(by))"
printf '| scanners | scan | median wall (s) | max peak RSS (MB) |\n| --- | --- | --- | --- |\n'
for k in cold warm; do row pkg $k; row secret $k; row all $k; done
for k in cold warm; do
  p=$(cut -d' ' -f1 "$work/pkg-$k" | median); s=$(cut -d' ' -f1 "$work/secret-$k" | median)
  echo "$k: secrets add $(awk -v s="$s" -v p="$p" 'BEGIN {printf "%.2f s", s - p}')"
done
