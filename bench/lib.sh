# Shared by the bench scripts: run the real CLI under /usr/bin/time.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# measure IMAGE CACHE_DIR [FLAGS...] → prints "seconds peak_kib"
measure() {
  local img=$1 cache=$2; shift 2
  /usr/bin/time -f '%e %M' -o "$work/t" node dist/cli/main.js scan image "$img" --cache-dir "$cache" --format json -o "$work/out.json" --quiet "$@"
  cat "$work/t"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
maxkib() { sort -n | tail -1; }
# series NAME RUNS IMAGE [FLAGS...]: cold runs (fresh cache each) and warm runs (one primed cache)
series() {
  local name=$1 runs=$2 img=$3; shift 3
  : >"$work/$name-cold"; : >"$work/$name-warm"
  for i in $(seq 1 "$runs"); do measure "$img" "$work/c-$name-$i" "$@" >>"$work/$name-cold"; done
  measure "$img" "$work/w-$name" "$@" >/dev/null
  for _ in $(seq 1 "$runs"); do measure "$img" "$work/w-$name" "$@" >>"$work/$name-warm"; done
}
# row NAME KIND → "| NAME | KIND | median s | max MB |"
row() {
  printf '| %s | %s | %s | %s |\n' "$1" "$2" "$(cut -d' ' -f1 "$work/$1-$2" | median)" "$(( $(cut -d' ' -f2 "$work/$1-$2" | maxkib) / 1024 ))"
}
packages() { node -e "console.log(JSON.parse(require('fs').readFileSync('$work/out.json','utf8')).packages.length)"; }
