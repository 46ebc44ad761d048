#!/usr/bin/env bash
# The npm tools the tests run (tools/package.json) and Ghost's client
# packages the Ghost suite drives (tests/ghost/package.json) and the reference
# frontend's Astro (examples/frontend/package.json), each installed
# from its lockfile into its node_modules when that changed, then a check
# that the vendored browser builds are the pinned ones. Node.js is an outside
# dependency like any other: missing, it fails the run, unless
# LONGFORM_TEST_SKIP names `node` (then the tests that need it skip too).
set -euo pipefail
cd "$(dirname "$0")/.."

node_ok=$(node -e 'const [a, b] = process.versions.node.split(".").map(Number); console.log(a > 20 || (a === 20 && b >= 19))' 2>/dev/null || true)
if [ "$node_ok" != true ] || ! command -v npm >/dev/null 2>&1; then
    . scripts/unavailable.sh
    unavailable node tools "Node.js 20.19 or newer with npm not found (found: $(node --version 2>/dev/null || echo none))"
fi
for dir in tools tests/ghost examples/frontend; do
    stamp=$dir/node_modules/.package-lock.json
    if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
        (cd "$dir" && npm ci --no-audit --no-fund)
    fi
done
scripts/vendor.sh --check
