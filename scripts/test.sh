#!/usr/bin/env bash
# The one test command: lint, typecheck, build, then every test (unit and end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent lint
npm run --silent typecheck
npm run --silent build
node scripts/run-tests.mjs "$@"
