#!/usr/bin/env bash
# Sets up a fresh Debian machine (run as root) and runs the main job on the bundled example:
# installs and starts the engines, installs the npm dependencies, builds, scans examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
bash scripts/engines.sh
npm ci --no-fund --no-audit
npm run --silent build
echo
node dist/cli/main.js scan image examples/debian-mini.tar.gz
