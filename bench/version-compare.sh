#!/usr/bin/env bash
# Throughput of `bulwark version compare`: 1,000,000 realistic "installed<TAB>fixed" pairs per
# scheme (seeded, so every run sees the same input; the table says how many distinct versions
# there are, which bounds what the parse cache can do), timed through the built CLI.
# Target: >= 100,000 lines/s per scheme.
# Usage: bash bench/version-compare.sh [pairs]   (builds dist/ when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-1000000}
[ -f dist/cli/main.js ] || npm run --silent build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# writes $work/ID.tsv (the pairs) and $work/ID.distinct (how many distinct versions they hold)
node --input-type=module - "$work" "$pairs" <<'EOF'
import { writeFileSync } from 'node:fs';
const [dir, n] = [process.argv[2], Number(process.argv[3])];
let seed = 42;
const rnd = (k) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0), (seed >>> 8) % k);
const pick = (xs) => xs[rnd(xs.length)];
const num = () => (rnd(3) === 0 ? rnd(1000) : pick([0, 1, 2, 3, 4, 5, 8, 9, 10, 12, 15, 20, 31, 102, 2024]));
const core = (k) => Array.from({ length: k }, num).join('.');
const gens = {
  dpkg: () => `${rnd(10) === 0 ? `${rnd(3)}:` : ''}${core(2 + rnd(2))}${pick(['', '~rc1', '+dfsg', '+ds1'])}-${1 + rnd(20)}${pick(['', `+deb${11 + rnd(2)}u${rnd(15)}`, `ubuntu0.${rnd(4)}`, '~bpo12+1'])}`,
  rpm: () => `${rnd(8) === 0 ? `${1 + rnd(2)}:` : ''}${core(3)}${pick(['', '~rc1', '^20240101git1a2b3c'])}-${1 + rnd(400)}.el${8 + rnd(2)}${pick(['', `_${rnd(5)}`, `_${rnd(5)}.${rnd(3)}`])}`,
  apk: () => `${core(2 + rnd(2))}${pick(['', '', '_rc1', '_p2', '_git20240101', 'a'])}-r${rnd(12)}`,
  semver: () => `${core(3)}${pick(['', '', '', '-alpha.1', '-beta.2', '-rc.1', '-0.3.7', '-x.7.z.92'])}${pick(['', '', '+build.5'])}`,
  pep440: () => `${core(1 + rnd(3))}${pick(['', '', '', 'a1', 'b2', 'rc1', '.post1', '.dev0', '.post1.dev2', '+ubuntu1'])}`,
  maven: () => `${core(1 + rnd(3))}${pick(['', '', '-SNAPSHOT', '.Final', '.RELEASE', '-rc-1', '-alpha-2', '-M3', '.v20230217', '-jre', '-android'])}`,
  go: () => `v${core(3)}${pick(['', '', '-rc.1', `-0.${20200101000000 + rnd(99999999)}-abcdef123456`, '+incompatible'])}`,
  rubygems: () => `${core(1 + rnd(3))}${pick(['', '', '.rc1', '.beta2', '.pre'])}`,
  nuget: () => `${core(3 + rnd(2))}${pick(['', '', '-preview.7.21377.19', '-rc.1', '-beta'])}`,
  composer: () => `${pick(['', 'v'])}${core(3)}${pick(['', '', '-beta1', '-RC2', '-p1', '-dev'])}`,
};
for (const [id, gen] of Object.entries(gens)) {
  const seen = new Set();
  const lines = new Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b] = [gen(), gen()];
    seen.add(a).add(b);
    lines[i] = `${a}\t${b}`;
  }
  writeFileSync(`${dir}/${id}.distinct`, String(seen.size));
  writeFileSync(`${dir}/${id}.tsv`, `${lines.join('\n')}\n`);
}
EOF

echo "$pairs pairs per scheme, $(nproc) cores, $(node --version)"
printf '| scheme | --ecosystem | distinct versions | wall (s) | lines/s | peak RSS (MB) |\n| --- | --- | --- | --- | --- | --- |\n'
for entry in dpkg:Debian rpm:"Red Hat" apk:Alpine semver:npm pep440:PyPI maven:Maven go:Go rubygems:RubyGems nuget:NuGet composer:Packagist; do
  id=${entry%%:*} eco=${entry#*:}
  /usr/bin/time -f '%e %M' -o "$work/t" node dist/cli/main.js version compare --ecosystem "$eco" <"$work/$id.tsv" >"$work/out"
  [ "$(wc -l <"$work/out")" -eq "$pairs" ] || { echo "$id: wrong number of results" >&2; exit 1; }
  read -r secs kib <"$work/t"
  printf '| %s | %s | %s | %s | %s | %s |\n' "$id" "$eco" "$(cat "$work/$id.distinct")" "$secs" "$(awk -v n="$pairs" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')" "$((kib / 1024))"
done
