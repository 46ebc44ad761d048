"""Cold start: from `longform serve` being started on an already-migrated
database to the first 200 of GET /api/v1/posts, polled every 2 ms; with the
files in the page cache (a restart), and with them evicted first (a start
after a reboot, or on a machine whose memory went to other work)."""

import http.client
import os
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .procs import Reaper, free_port, spawn, terminate
from .shell import Fail, last_line

POLL_INTERVAL_S = 0.002
COLD_START_TIMEOUT_S = 60


@dataclass
class ColdStart:
    posts: int
    runs_ms: list[float]  # the files in the page cache
    evicted_ms: list[float]  # the binary and the database evicted from it first

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)

    @property
    def evicted_median_ms(self) -> float:
        return statistics.median(self.evicted_ms)


def evict(paths: list[Path]) -> None:
    """Drop these files' pages from the page cache (written back first, since
    dirty pages stay): no privilege needed, and nothing else is evicted."""
    for path in paths:
        if not path.exists():
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def _first_ok(port: int) -> bool:
    """True on a 200; False while nothing listens or the answer is not yet a 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/api/v1/posts")
        answer = conn.getresponse()
        answer.read()
        return answer.status == 200
    except OSError:
        return False
    finally:
        conn.close()


def once(binary: Path, env: dict, workdir: Path, log: Path, reaper: Reaper) -> float:
    """Milliseconds from spawning the server to its first 200."""
    port = free_port()  # chosen up front: we poll from the very start, before any "listening" line
    with open(log, "ab") as err:
        started = time.perf_counter()
        # No setpriv in front: its exec would be timed too. finally and atexit stop it.
        proc = spawn([str(binary), "serve", "--no-demo", "--bind", f"127.0.0.1:{port}"], guard=False, env=env,
                     cwd=workdir, stdout=subprocess.DEVNULL, stderr=err)
    stop = lambda: terminate(proc)  # noqa: E731
    reaper.add("longform (cold start)", stop)
    try:
        while time.perf_counter() - started < COLD_START_TIMEOUT_S:
            if _first_ok(port):
                return (time.perf_counter() - started) * 1000
            if proc.poll() is not None:
                raise Fail(f"the server exited during the cold start: {last_line(log)}")
            time.sleep(POLL_INTERVAL_S)
        raise Fail(f"no 200 from /api/v1/posts within {COLD_START_TIMEOUT_S} s of starting the server")
    finally:
        reaper.discard(stop)
        stop()


def measure(binary: Path, env: dict, database: Path, workdir: Path, log: Path, runs: int, posts: int,
            reaper: Reaper) -> ColdStart:
    warm = [once(binary, env, workdir, log, reaper) for _ in range(runs)]
    files = [binary, database, *database.parent.glob(f"{database.name}-*")]
    evicted = []
    for _ in range(runs):
        evict(files)
        evicted.append(once(binary, env, workdir, log, reaper))
    return ColdStart(posts, warm, evicted)
