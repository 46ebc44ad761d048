"""Driving a URL with wrk: one run, the median of several, and the resident
memory of the process under load sampled meanwhile."""

import dataclasses
import json
import math
import os
import statistics
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .config import REPO
from .procs import memory_of
from .shell import Fail, run

WRK_SCRIPT = REPO / "bench" / "wrk" / "request.lua"
WRK_REQUEST_TIMEOUT = "30s"  # wrk's default (2 s) would count a slow database read as an error
WRK_GRACE_S = 60  # beyond the run's own duration
RSS_SAMPLE_S = 0.1
REQUESTS_PER_RUN = 3  # at least, for a one-client run of slow requests
MAX_RUN_S = 30  # a run never lasts longer, however slow: the whole run stays near half an hour


@dataclass(frozen=True)
class Request:
    """What wrk sends, and what the harness sends to capture the answer."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None

    def to(self, base_url: str, path: str | None = None) -> "Request":
        """The same request to another server (and optionally another path, same query)."""
        parts = urlsplit(self.url)
        target = (path or parts.path) + (f"?{parts.query}" if parts.query else "")
        return Request(self.method, base_url.rstrip("/") + target, self.headers, self.body)


@dataclass
class Run:
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    wire_bytes: int  # headers and bodies, as wrk read them
    http_errors: int  # responses of status 400 and above
    socket_errors: int


@dataclass
class LoadResult:
    """Each figure is the median over the runs; errors are summed."""

    runs: list[Run]
    rss_under_load_kb: int = 0  # the most resident memory sampled while wrk ran
    rps: float = field(init=False)
    p50_ms: float = field(init=False)
    p95_ms: float = field(init=False)
    p99_ms: float = field(init=False)
    http_errors: int = field(init=False)
    socket_errors: int = field(init=False)
    empty_runs: int = field(init=False)  # runs in which not one request completed
    wire_bytes_per_response: float = field(init=False)

    def __post_init__(self) -> None:
        median = lambda pick: statistics.median(pick(r) for r in self.runs)  # noqa: E731
        self.rps = median(lambda r: r.rps)
        self.p50_ms = median(lambda r: r.p50_ms)
        self.p95_ms = median(lambda r: r.p95_ms)
        self.p99_ms = median(lambda r: r.p99_ms)
        self.http_errors = sum(r.http_errors for r in self.runs)
        self.socket_errors = sum(r.socket_errors for r in self.runs)
        self.empty_runs = sum(1 for r in self.runs if r.requests == 0)
        total = sum(r.requests for r in self.runs)
        self.wire_bytes_per_response = sum(r.wire_bytes for r in self.runs) / total if total else 0


@dataclass(frozen=True)
class Load:
    """How hard: wrk's threads and connections, and how long one run lasts."""

    wrk: str
    threads: int
    connections: int
    duration_s: int
    runs: int

    def long_enough_for(self, request_s: float) -> "Load":
        """A run that fits a few requests of `request_s` seconds (up to
        MAX_RUN_S): a slow database path still yields figures, not an empty run."""
        wanted = min(MAX_RUN_S, max(self.duration_s, math.ceil(REQUESTS_PER_RUN * request_s)))
        return dataclasses.replace(self, duration_s=wanted)


class RssSampler:
    """The highest VmRSS of `pid` seen while the `with` block runs."""

    def __init__(self, pid: int | None):
        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "RssSampler":
        if self.pid is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _sample(self) -> None:
        assert self.pid is not None
        while not self._stop.wait(RSS_SAMPLE_S):
            memory = memory_of(self.pid)
            if memory:
                self.peak_kb = max(self.peak_kb, memory.rss_kb)


def wrk_once(load: Load, request: Request, body_file: Path | None) -> Run:
    threads = min(load.threads, load.connections)
    cmd = [load.wrk, f"-t{threads}", f"-c{load.connections}", f"-d{load.duration_s}s",
           f"--timeout={WRK_REQUEST_TIMEOUT}", "-s", str(WRK_SCRIPT)]
    for name, value in request.headers:
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(request.url)
    env = {**os.environ, "BENCH_METHOD": request.method, "BENCH_BODY_FILE": str(body_file or "")}
    done = run(cmd, f"wrk {request.method} {request.url}", load.duration_s + WRK_GRACE_S, env=env)
    line = next((out for out in done.stdout.splitlines() if out.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise Fail(f"wrk printed no result for {request.url}: {done.stdout.strip()[-200:]}")
    raw = json.loads(line.removeprefix("BENCH_RESULT "))
    seconds = raw["duration_us"] / 1e6
    return Run(
        rps=raw["requests"] / seconds if seconds else 0.0,
        p50_ms=raw["p50_us"] / 1000, p95_ms=raw["p95_us"] / 1000, p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        requests=raw["requests"], wire_bytes=raw["bytes"], http_errors=raw["http_errors"],
        socket_errors=raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"],
    )


def _body_file(request: Request, path: Path) -> Path | None:
    """The request body in a file, for request.lua to read."""
    if request.body is None:
        return None
    path.write_bytes(request.body)
    return path


def drive(load: Load, request: Request, pid: int | None = None) -> LoadResult:
    """`load.runs` wrk runs of `request`; `pid`'s resident memory is sampled meanwhile."""
    return drive_in_turn(load, [(request, pid)])[0]


def drive_in_turn(load: Load, targets: list[tuple[Request, int | None]]) -> list[LoadResult]:
    """`load.runs` wrk runs of each request, taken in turn (A B A B ...), so
    that whatever else the machine is doing weighs on each alike; the
    resident memory of each one's pid is sampled during its own runs."""
    runs: list[list[Run]] = [[] for _ in targets]
    peaks = [0] * len(targets)
    with tempfile.TemporaryDirectory(prefix="longform-bench-bodies-") as folder:
        bodies = [_body_file(request, Path(folder) / f"body-{i}") for i, (request, _) in enumerate(targets)]
        for _ in range(load.runs):
            for i, (request, pid) in enumerate(targets):
                with RssSampler(pid) as sampler:
                    runs[i].append(wrk_once(load, request, bodies[i]))
                peaks[i] = max(peaks[i], sampler.peak_kb)
    return [LoadResult(r, peak) for r, peak in zip(runs, peaks, strict=True)]
