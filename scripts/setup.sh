#!/usr/bin/env bash
# Sets up a fresh Debian machine (run as root) and runs the main job on the bundled example:
# installs and starts the engines, installs the npm dependencies, builds, loads the vulnerability
# database, scans examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
bash scripts/engines.sh
npm ci --no-fund --no-audit
npm run --silent build
# the vulnerability database: the feeds shipped beside the clone (../shared/data) when present,
# else the public OSV feeds (needs network); a scan without a DB lists packages only
if [ -d ../shared/data ]; then
  node dist/cli/main.js db import ../shared/data
else
  node dist/cli/main.js db update --ecosystems PyPI,Debian || echo "setup: no vulnerability DB (offline?): the scan below lists packages only"
fi
echo
node dist/cli/main.js scan image examples/debian-mini.tar.gz
