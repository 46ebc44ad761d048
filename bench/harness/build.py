"""The release binary, built once per run, and the fingerprints that key
the cached corpora and databases."""

import glob
import hashlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .config import REPO, Settings
from .shell import Fail, apt_install, log, run

BUILD_TIMEOUT_S = 3600  # a cold release build on 2 cores takes several minutes
CORPUS_PROBE_POSTS = 20


def build(settings: Settings) -> Path:
    """`cargo build --release --locked`; CARGO_TARGET_DIR is honoured by cargo itself."""
    if not glob.glob("/usr/lib/*/libpq.so") and not glob.glob("/usr/lib/libpq.so"):
        apt_install(["libpq-dev"])  # pq-sys links the system libpq
    log("building longform (cargo build --release --locked)")
    started = time.monotonic()
    try:
        # Not captured: cargo's own progress is the best progress report here.
        done = subprocess.run([settings.cargo, "build", "--release", "--locked"], cwd=REPO,
                              timeout=BUILD_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise Fail(f"the release build did not finish within {BUILD_TIMEOUT_S} s") from e
    except OSError as e:
        raise Fail(f"cannot run {settings.cargo}: {e}") from e
    if done.returncode != 0:
        raise Fail(f"the release build failed (cargo exit {done.returncode})")
    binary = settings.target_dir / "release" / "longform"
    if not binary.is_file():
        raise Fail(f"the build left no binary at {binary}")
    log(f"built {binary} in {time.monotonic() - started:.0f} s")
    return binary


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def corpus_fingerprint(binary: Path) -> str:
    """A hash of what the binary's generator writes for its first posts.

    Post i does not depend on N (src/corpus.rs), so a generator that writes
    the same first posts is taken to write the same corpus: the multi-GB
    corpus survives rebuilds that do not touch the generator.
    """
    with tempfile.TemporaryDirectory(prefix="longform-bench-probe-") as tmp:
        out = Path(tmp) / "corpus"
        run([str(binary), "corpus", "--posts", str(CORPUS_PROBE_POSTS), "--out", str(out)],
            "longform corpus (probe)", 60)
        digest = hashlib.sha256()
        for path in sorted(out.iterdir()):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def rustc_version() -> str:
    found = shutil.which("rustc")
    if not found:
        return "unknown"
    try:
        return run([found, "--version"], "rustc --version", 30).stdout.strip()
    except Fail:
        return "unknown"
