"""What a run measures and how hard, read once from the environment.

`make bench` is the real run; `BENCH_QUICK=1` shrinks the corpora and the
runs to try the harness in a few minutes. Every other knob is optional.
"""

import os
from dataclasses import dataclass
from pathlib import Path

# The repository root: bench/harness/config.py -> ../..
REPO = Path(__file__).resolve().parents[2]

# Where the committed report lives, and the line below which it is hand-written.
REPORT = REPO / "BENCHMARKS.md"
NOTES_MARKER = "<!-- notes: kept by make bench -->"


# Chromium's Accept-Encoding.
BROWSER_ENCODING = "gzip, deflate, br, zstd"


@dataclass(frozen=True)
class Corpus:
    """One database to serve: a backend and a number of posts."""

    backend: str  # "sqlite" or "postgres"
    posts: int

    @property
    def title(self) -> str:
        name = "SQLite" if self.backend == "sqlite" else "PostgreSQL"
        return f"{name}, {self.posts:,} posts"

    @property
    def key(self) -> str:
        return f"{self.backend}-{self.posts}"


@dataclass(frozen=True)
class Settings:
    quick: bool
    runs: int  # each figure is the median of this many runs
    duration_s: int  # one wrk run
    threads: int  # wrk threads
    connections: int  # wrk connections for throughput scenarios
    cores: int
    workers: int  # HTTP workers of the server under test and of the ceiling alike
    corpora: tuple[Corpus, ...]
    import_posts: int  # the "importing 1,000 posts" scenario
    cold_start_posts: int  # the "cold start with 10,000 posts" scenario
    cold_start_runs: int
    write_seconds: float  # one run of the create-and-publish loop
    accept_encoding: str  # the database path and the commit comparison: "" is identity
    warm_encodings: tuple[str, ...]  # each warm scenario runs once per entry ("" is identity)
    server_log: str  # LONGFORM_LOG for servers under load
    baseline: str  # a git ref whose warm read path this build is compared with; "" for none
    cargo: str
    target_dir: Path
    out: Path  # the report written

    @property
    def cache_dir(self) -> Path:
        return self.target_dir / "bench"

    @property
    def small(self) -> Corpus:
        """The SQLite corpus the flat-cost ratios divide by."""
        return self.corpora[0]


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def cores() -> int:
    # The CPUs this process may use, which is what the server gets too.
    return len(os.sched_getaffinity(0))


def load() -> Settings:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    ncores = cores()
    threads = _int("BENCH_THREADS", max(1, ncores // 2))
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    if not target.is_absolute():
        target = REPO / target
    if quick:
        corpora = (Corpus("sqlite", 200), Corpus("sqlite", 2_000), Corpus("postgres", 1_000))
    else:
        corpora = (Corpus("sqlite", 1_000), Corpus("sqlite", 100_000), Corpus("postgres", 10_000))
    # A quick run writes beside the cache, never over the committed report.
    default_out = target / "bench" / "BENCHMARKS.quick.md" if quick else REPORT
    return Settings(
        quick=quick,
        runs=_int("BENCH_RUNS", 1 if quick else 3),
        duration_s=_int("BENCH_DURATION", 2 if quick else 5),
        # wrk and the server share the machine: wrk gets half the cores, and
        # the server and the ceiling each as many workers as the cores left
        # (more workers than free cores only adds context switches).
        threads=threads,
        connections=_int("BENCH_CONNECTIONS", 16),
        cores=ncores,
        workers=_int("BENCH_WORKERS", max(1, ncores - threads)),
        corpora=corpora,
        import_posts=200 if quick else 1_000,
        cold_start_posts=1_000 if quick else 10_000,
        cold_start_runs=_int("BENCH_COLD_RUNS", 3 if quick else 5),
        write_seconds=float(_int("BENCH_WRITE_SECONDS", 2 if quick else 4)),
        accept_encoding=os.environ.get("BENCH_ACCEPT_ENCODING", ""),
        # What browsers send, then no compression at all beside it; a set
        # BENCH_ACCEPT_ENCODING runs that one alone.
        warm_encodings=(os.environ["BENCH_ACCEPT_ENCODING"],) if "BENCH_ACCEPT_ENCODING" in os.environ
        else (BROWSER_ENCODING, ""),
        server_log=os.environ.get("BENCH_SERVER_LOG", "warn"),
        baseline=os.environ.get("BENCH_BASELINE", "").strip(),
        cargo=os.environ.get("CARGO", "cargo"),
        target_dir=target,
        out=Path(os.environ.get("BENCH_OUT") or default_out).resolve(),
    )
