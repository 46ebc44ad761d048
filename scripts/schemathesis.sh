#!/usr/bin/env bash
# Schemathesis against a running server: every public and editor route in
# openapi.yaml, with an admin's token, on a fresh SQLite database with some
# content. Needs the debug binary (cargo test builds it). Bounded in time;
# exits non-zero when Schemathesis reports any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
VENV=target/venv
BIN=${LONGFORM_BIN:-${CARGO_TARGET_DIR:-target}/debug/longform}
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-90}

# Python is an outside dependency of the tests like any other: missing, it
# fails the run, unless LONGFORM_TEST_SKIP names it (see the Makefile).
if ! python3 -m venv --help >/dev/null 2>&1; then
    . scripts/unavailable.sh
    unavailable python schemathesis "python3 with its venv module not found"
fi
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$VERSION"
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# Generated webhook URLs name hosts anywhere: this server registers them
# but sends nothing.
export LONGFORM_DATABASE_URL="sqlite://$work/longform.db" LONGFORM_LOG=warn,r2d2=off LONGFORM_WEBHOOK_DELIVERY=false
password="schemathesis password"
echo "$password" | "$BIN" user create --email admin@example.com --name Admin --role admin --password-stdin >/dev/null
"$BIN" serve --bind 127.0.0.1:0 >"$work/out" 2>"$work/err" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/out")
[ -n "$base" ] || { echo "the server did not start"; cat "$work/err"; exit 1; }

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
token=$(curl -sf -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"admin@example.com\",\"password\":\"$password\"}" | json "['access_token']")
auth="Authorization: Bearer $token"
# A little content, so that slugs and ids in the schema's examples exist.
for title in "Example" "Memory Models" "Run Queues"; do
    id=$(curl -sf -X POST "$base/api/v1/admin/posts" -H "$auth" -H 'content-type: application/json' \
        -d "{\"title\":\"$title\",\"markdown\":\"# $title\\n\\nWords.\",\"tags\":[\"example\"],\"authors\":[\"example\"],\"category\":\"example\"}" \
        | json "['post']['id']")
    curl -sf -X POST "$base/api/v1/admin/posts/$id/publish" -H "$auth" -H 'If-Match: "1"' >/dev/null
done

# Signing out or changing the password would end the very session the run
# uses; refreshing needs a refresh token the fuzzer cannot know; GraphQL is
# its own schema. Those have end-to-end tests of their own.
# positive_data_acceptance is off: opaque cursors, version preconditions
# (If-Match) and ids of things that do not exist cannot be generated valid
# from a schema, so a 400/412 there is the right answer, not a failure.
run() {
    "$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run openapi.yaml --url "$base" -H "$auth" \
        --max-time "$MAX_TIME" --workers 1 --seed 1 \
        --exclude-checks positive_data_acceptance \
        --exclude-path /api/v1/auth/logout --exclude-path /api/v1/auth/password --exclude-path /api/v1/auth/refresh \
        --exclude-path /graphql \
        "$@" 2>&1 | tee "$work/report"
}
# A crash inside the tool itself (seen: a CPython "AST constructor recursion
# depth mismatch" in Hypothesis, in about half the runs with two worker
# threads on 2026-12-04, in none of three with one) is not a finding about
# the API: run again, at most three times in all. Any failure the API
# causes still fails the build at once. Hence one worker (likely a thread
# stack matter; not proven).
for attempt in 1 2 3; do
    run "$@" && exit 0
    if ! grep -q "Runtime Error" "$work/report" || grep -q "^Failures:" "$work/report"; then
        exit 1
    fi
    echo "Schemathesis crashed internally (attempt $attempt of 3)"
done
exit 1
