#!/usr/bin/env bash
# Import throughput of the vulnerability DB: the real OSV feeds in shared/data
# (PyPI, Go, AlmaLinux all.zip) imported by the real CLI into a fresh DB each run,
# then all three at once. Reports records/s and affected entries/s (median wall time).
# Usage: bash bench/db-import.sh [runs]   (after npm run build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
osv=$(cd .. && pwd)/shared/data/osv
[ -f dist/cli/main.js ] || npm run --silent build
source bench/lib.sh
# one NAME PATH: runs imports, writes "$work/NAME" lines of "seconds peak_kib records affected"
one() {
  local name=$1 path=$2
  : >"$work/$name"
  for i in $(seq 1 "$runs"); do
    rm -f "$work/db-$name.db"
    /usr/bin/time -f '%e %M' -o "$work/t" node dist/cli/main.js db import "$path" --db "$work/db-$name.db" >"$work/out"
    counts=$(sed -n 's/^imported \([0-9]*\) records, \([0-9]*\) affected entries.*/\1 \2/p' "$work/out")
    echo "$(cat "$work/t") $counts" >>"$work/$name"
  done
}
for e in PyPI Go AlmaLinux; do one "$e" "$osv/$e/all.zip"; done
one all "$osv"
echo "$runs runs each, fresh DB per run, $(nproc) cores, node $(node --version)"
printf '| feed | zip (MB) | records | affected entries | median wall (s) | records/s | affected/s | max peak RSS (MB) | DB (MB) |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
for name in PyPI Go AlmaLinux all; do
  f="$work/$name"
  s=$(cut -d' ' -f1 "$f" | median); kib=$(cut -d' ' -f2 "$f" | maxkib)
  read -r _ _ rec aff < <(head -1 "$f")
  if [ "$name" = all ]; then zip=$(du -cm "$osv"/*/all.zip | tail -1 | cut -f1); else zip=$(du -m "$osv/$name/all.zip" | cut -f1); fi
  awk -v n="$name" -v z="$zip" -v r="$rec" -v a="$aff" -v s="$s" -v k="$kib" -v d="$(du -m "$work/db-$name.db" | cut -f1)" \
    'BEGIN { printf "| %s | %s | %d | %d | %.2f | %.0f | %.0f | %d | %s |\n", n, z, r, a, s, r / s, a / s, k / 1024, d }'
done
