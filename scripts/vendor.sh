#!/usr/bin/env bash
# The browser builds /docs and GraphiQL load, copied from the pinned npm
# packages in tools/ into crates/api/assets/vendor, where the binary embeds
# them (so `make run` needs nothing but Rust). `--check` compares instead of
# copying and fails when the committed copies are not the pinned builds.
set -euo pipefail
cd "$(dirname "$0")/.."

NM=tools/node_modules
OUT=crates/api/assets/vendor
# source in node_modules -> name in $OUT
FILES=(
    "redoc/bundles/redoc.standalone.js redoc.standalone.js"
    "redoc/bundles/redoc.standalone.js.LICENSE.txt redoc.standalone.js.LICENSE.txt"
    "redoc/LICENSE redoc.LICENSE"
    "react/umd/react.production.min.js react.production.min.js"
    "react/LICENSE react.LICENSE"
    "react-dom/umd/react-dom.production.min.js react-dom.production.min.js"
    "graphiql/graphiql.min.js graphiql.min.js"
    "graphiql/graphiql.min.css graphiql.min.css"
    "graphiql/LICENSE graphiql.LICENSE"
)

# A file as vendored: as published, except that Redoc's sidebar badge would
# load its logo from cdn.redoc.ly on every visit; with an empty address the
# image fails at once and Redoc's own error handler hides it.
produce() {
    case "$1" in
    redoc/bundles/redoc.standalone.js) sed 's#https://cdn.redoc.ly/redoc/logo-mini.svg##g' "$NM/$1" ;;
    *) cat "$NM/$1" ;;
    esac
}

check=false
[ "${1:-}" = --check ] && check=true
mkdir -p "$OUT"
stale=0
for pair in "${FILES[@]}"; do
    read -r source name <<<"$pair"
    if $check; then
        cmp -s <(produce "$source") "$OUT/$name" || { echo "stale: $OUT/$name is not $NM/$source"; stale=1; }
    else
        produce "$source" >"$OUT/$name"
    fi
done
if $check && ((stale)); then
    echo "run \`make vendor\` and commit crates/api/assets/vendor"
    exit 1
fi
# The versions, for people: read from the installed packages.
versions=$(cd tools && node -e '
for (const p of ["redoc", "react", "react-dom", "graphiql"])
  console.log(`- ${p} ${require(`./node_modules/${p}/package.json`).version}`)')
readme="# Vendored browser builds

Copied by \`make vendor\` (scripts/vendor.sh) from the npm packages pinned in
tools/package.json and tools/package-lock.json; \`make test\` fails when these
files are not those builds. Each keeps its licence beside it.

$versions"
if $check; then
    [ "$(cat "$OUT/README.md")" = "$readme" ] || { echo "stale: $OUT/README.md; run \`make vendor\`"; exit 1; }
else
    printf '%s\n' "$readme" >"$OUT/README.md"
fi
