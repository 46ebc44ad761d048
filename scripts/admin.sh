#!/usr/bin/env bash
# The editor app (admin/): installs its npm packages from the committed
# lockfile when that changed, then builds it into crates/api/assets/admin,
# which the binary embeds. `--check` builds into a scratch folder instead
# and fails when the committed build is not what the sources and the
# lockfile make (CI's rebuild-and-diff).
set -euo pipefail
cd "$(dirname "$0")/../admin"

node_ok=$(node -e 'const [a, b] = process.versions.node.split(".").map(Number); console.log(a > 20 || (a === 20 && b >= 19))' 2>/dev/null || true)
if [ "$node_ok" != true ] || ! command -v npm >/dev/null 2>&1; then
    . ../scripts/unavailable.sh
    unavailable node admin "Node.js 20.19 or newer with npm not found (found: $(node --version 2>/dev/null || echo none))"
fi
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
    npm ci --no-audit --no-fund
fi
committed=../crates/api/assets/admin
if [ "${1:-}" = --check ]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    # The API's types are generated from openapi.yaml and committed: stale
    # ones would let the app drift from the contract unseen.
    npm run --silent types:check
    npx tsc --noEmit
    npx vite build --logLevel warn --outDir "$scratch" --emptyOutDir
    if ! diff -r "$scratch" "$committed" >/dev/null; then
        diff -rq "$scratch" "$committed" | head -20
        echo "crates/api/assets/admin is not the build of admin/: run \`make admin\` and commit it"
        exit 1
    fi
else
    npm run build
fi
