#!/usr/bin/env bash
# Peak memory of a cold image scan with secret scanning on one large layer of small text
# files (bench/fixtures/big-layer.ts: every 1,000th file holds a fake token and is
# hard-linked under a second name, so the walker's second pass for hard links is included).
# Usage: bash bench/layer-memory.sh [MiB]   (default 2048; needs npm run build)
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-2048}
[ -f dist/cli/main.js ] || npm run --silent build
work=$(mktemp -d /tmp/bulwark-layer-memory-XXXXXX)
trap 'rm -rf "$work"' EXIT
node --import tsx bench/fixtures/big-layer.ts "$work/image" "$mib" >/dev/null
/usr/bin/time -f '%e %M' -o "$work/t" node dist/cli/main.js scan image "$work/image" --no-cache --scanners pkg,secret --format json -o "$work/out.json" --quiet
read -r secs kib <"$work/t"
found=$(node -e "console.log((JSON.parse(require('fs').readFileSync('$work/out.json','utf8')).checks ?? []).length)")
layer=$(find "$work/image/blobs" -type f -size +1M -printf '%s\n')
echo "layer: $((layer / 1048576)) MiB uncompressed, $(nproc) cores"
printf '| layer (MiB) | wall (s) | peak RSS (MB) | secrets found |\n| --- | --- | --- | --- |\n'
printf '| %s | %s | %s | %s |\n' "$((layer / 1048576))" "$secs" "$((kib / 1024))" "$found"
