"""Corpora and SQLite databases, cached under <target>/bench/cache.

A corpus is keyed by the generator's fingerprint (see build.py) and a
database by the binary's hash, each with its size: the 100,000-post corpus
(gigabytes of Markdown, minutes to write and import) is made once and reused
until the code that made it changes. An entry is complete only once its
marker file exists, so an interrupted run never leaves a half-written entry
that a later run would trust. Servers run on working copies, so writes made
by a run never leak into the next one.
"""

import os
import selectors
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .procs import spawn
from .shell import Fail, last_line, log, run


def _timeout_for(posts: int, per_post_ms: float) -> float:
    return 120 + posts * per_post_ms / 1000


def _prune_siblings(entry: Path) -> None:
    """Drop the same-size entries of other fingerprints: one of each size is kept."""
    for other in entry.parent.parent.glob(f"*/{entry.name}"):
        if other.parent == entry.parent:
            continue
        log(f"removing the outdated cache entry {other}")
        Path(f"{other}.complete").unlink(missing_ok=True)
        if other.is_dir():
            shutil.rmtree(other, ignore_errors=True)
        else:
            for part in other.parent.glob(f"{other.name}*"):  # the file and its -wal/-shm
                part.unlink(missing_ok=True)
        if not any(other.parent.iterdir()):
            other.parent.rmdir()


def corpus_dir(binary: Path, cache: Path, fingerprint: str, posts: int) -> Path:
    """The generated corpus of `posts` posts, from the cache or written now."""
    entry = cache / "corpus" / fingerprint / str(posts)
    marker = Path(f"{entry}.complete")
    if marker.exists():
        log(f"corpus of {posts:,} posts: cached in {entry}")
        return entry
    shutil.rmtree(entry, ignore_errors=True)
    entry.parent.mkdir(parents=True, exist_ok=True)
    _prune_siblings(entry)
    log(f"corpus of {posts:,} posts: generating into {entry}")
    started = time.monotonic()
    run([str(binary), "corpus", "--posts", str(posts), "--out", str(entry)],
        f"longform corpus --posts {posts}", _timeout_for(posts, 20))
    marker.touch()
    log(f"corpus of {posts:,} posts: generated in {time.monotonic() - started:.1f} s")
    return entry


def import_corpus(binary: Path, corpus: Path, database_url: str, env: dict, log_path: Path) -> float:
    """`longform import DIR`; the seconds it took. Prints progress every tenth."""
    posts = sum(1 for _ in corpus.glob("*.md"))
    deadline = time.monotonic() + _timeout_for(posts, 30)
    env = {**env, "LONGFORM_DATABASE_URL": database_url}
    started = time.monotonic()
    with open(log_path, "ab") as out:
        proc = spawn([str(binary), "import", str(corpus)], env=env, stdout=out, stderr=subprocess.PIPE)
        try:
            reason = _follow_progress(proc, posts, deadline)
            code = proc.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise Fail(f"longform import of {posts:,} posts timed out") from None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    seconds = time.monotonic() - started
    if code != 0:
        raise Fail(f"longform import of {corpus} failed (exit {code}): {reason or last_line(log_path)}")
    return seconds


def _follow_progress(proc: subprocess.Popen, posts: int, deadline: float) -> str:
    """Echo import's "imported X/Y" lines, one per tenth, until it closes
    stderr; any other line is printed too, and the last one returned."""
    assert proc.stderr is not None
    next_tenth, other = 1, ""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not sel.select(timeout=1):
                continue
            line = proc.stderr.readline().decode(errors="replace").strip()
            if not line:
                break
            if not line.startswith("imported "):
                print(f"  import: {line}", flush=True)
                other = line
                continue
            done = int(line.split()[1].split("/")[0])
            if posts >= 5_000 and done * 10 >= next_tenth * posts:
                log(f"  {line}")
                next_tenth = done * 10 // posts + 1
    return other


def sqlite_database(binary: Path, cache: Path, binary_hash: str, corpus: Path, posts: int,
                    env: dict, logs: Path) -> Path:
    """A SQLite file with the corpus imported, from the cache or imported now."""
    entry = cache / "sqlite" / binary_hash[:16] / f"{posts}.db"
    marker = Path(f"{entry}.complete")
    if marker.exists():
        log(f"SQLite database of {posts:,} posts: cached in {entry}")
        return entry
    entry.parent.mkdir(parents=True, exist_ok=True)
    _prune_siblings(entry)
    for stale in entry.parent.glob(f"{entry.name}*"):
        stale.unlink()
    log(f"SQLite database of {posts:,} posts: importing")
    seconds = import_corpus(binary, corpus, f"sqlite://{entry}", env, logs / f"import-sqlite-{posts}.log")
    marker.touch()
    log(f"SQLite database of {posts:,} posts: imported in {seconds:.1f} s ({entry.stat().st_size / 2**20:,.0f} MiB)")
    return entry


def working_copy(database: Path, workdir: Path) -> Path:
    """A copy the servers of one run may write to (WAL file included)."""
    started = time.monotonic()
    copy = workdir / database.name
    for suffix in ("", "-wal"):
        source = Path(f"{database}{suffix}")
        if source.exists():
            shutil.copyfile(source, Path(f"{copy}{suffix}"))
    # Write the copy out now: gigabytes of dirty pages flushed while wrk
    # runs would be measured as the server's slowness.
    os.sync()
    seconds = time.monotonic() - started
    if seconds > 1:
        log(f"copied {database.name} to the run's working directory (and synced) in {seconds:.1f} s")
    return copy


def time_imports(binary: Path, corpus: Path, runs: int, env: dict, logs: Path, workdir: Path) -> list[float]:
    """Seconds of `longform import` into a fresh SQLite file in `workdir`
    (on the disk, like a real site's: /tmp may be memory), `runs` times."""
    times = []
    for i in range(runs):
        with tempfile.TemporaryDirectory(prefix="import-", dir=workdir) as tmp:
            url = f"sqlite://{Path(tmp) / 'import.db'}"
            times.append(import_corpus(binary, corpus, url, env, logs / "import-timed.log"))
        log(f"  import run {i + 1}/{runs}: {times[-1]:.2f} s")
    return times
