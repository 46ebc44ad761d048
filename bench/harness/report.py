"""BENCHMARKS.md: everything above the notes marker is rewritten from a
run's results; everything below it is copied from the committed file
unchanged, so explanations and profiles written by people survive reruns."""

import platform
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .compare import Comparison
from .config import NOTES_MARKER, REPO, REPORT, Settings
from .load import LoadResult
from .measure import COPYING_FROM, CorpusResult, ScenarioResult
from .flood import Flood
from .pathological import KIB, SIZES, Pathological
from .startup import ColdStart
from .targets import Target, Verdict, points
from .writes import WriteResult


@dataclass
class Machine:
    cores: int
    cpu: str
    memory_gib: float
    os: str
    kernel: str
    rustc: str
    commit: str
    wrk: str
    nginx: str
    date: str


@dataclass
class Report:
    settings: Settings
    machine: Machine
    corpora: list[CorpusResult]
    targets: list[Target]
    import_runs: list[float]
    import_posts: int
    cold: ColdStart | None
    compared: list[Comparison]
    elapsed_s: float
    pathological: Pathological | None = None
    flood: Flood | None = None


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _quiet(cmd: list[str], any_exit: bool = False) -> str:
    """What a command printed (nginx -v prints to stderr), or "" when it
    failed; `any_exit` for `wrk --version`, which exits 1."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, cwd=REPO)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout or done.stderr).strip() if done.returncode == 0 or any_exit else ""


def git_commit() -> str:
    commit = _quiet(["git", "rev-parse", "--short", "HEAD"])
    if not commit:
        return "unknown (not a git checkout)"
    # --no-optional-locks: a read must not refresh (write) the index.
    dirty = _quiet(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"])
    return f"{commit} (with uncommitted changes)" if dirty else commit


def _field(path: str, name: str, sep: str) -> str:
    """The value of the first `name<sep>value` line of a /proc or /etc file."""
    for line in _read(path).splitlines():
        if line.startswith(name) and sep in line:
            return line.split(sep, 1)[1].strip().strip('"')
    return ""


def machine(settings: Settings, rustc: str, wrk: str, nginx: str, commit: str) -> Machine:
    """`commit` is read when the run starts, since that is what was built."""
    cpu = _field("/proc/cpuinfo", "model name", ":") or platform.processor() or "unknown"
    mem_kb = int(_field("/proc/meminfo", "MemTotal", ":").split(" ")[0] or 0)
    os_name = _field("/etc/os-release", "PRETTY_NAME", "=") or platform.system()
    # "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer"
    wrk_version = _quiet([wrk, "--version"], any_exit=True).split(" Copyright")[0].strip()
    return Machine(settings.cores, cpu, mem_kb / 2**20, os_name, platform.release(), rustc, commit,
                   wrk_version or "wrk", _quiet([nginx, "-v"]).removeprefix("nginx version: "),
                   time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))


def ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def rps(value: float) -> str:
    return f"{value:,.0f}"


def verdict(v: Verdict) -> str:
    if v.met is True:
        return "**met**"
    return f"**missed** {v.text}" if v.met is False else f"not judged: {v.text}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _load_cells(load: LoadResult | None) -> list[str]:
    if load is None:
        return ["—"] * 4
    return [rps(load.rps), ms(load.p50_ms), ms(load.p95_ms), ms(load.p99_ms)]


def _warm_row(sc: ScenarioResult) -> list[str]:
    ratio = f"{sc.ratio:.0%}" if sc.ratio is not None else "—"
    target = f"≥ {sc.ceiling_target:.0%}" if sc.ceiling_target else "—"
    if sc.status != "ok":
        result = f"**{sc.status}**"
    elif sc.ceiling_target and sc.ratio is not None:
        result = "met" if sc.ratio >= sc.ceiling_target else f"missed by {points((sc.ceiling_target - sc.ratio) * 100)}"
    else:
        result = "—"
    ceiling = rps(sc.ceiling.rps) if sc.ceiling else "—"
    return [sc.label, *_load_cells(sc.server), f"{sc.body_bytes:,}", ceiling, ratio, target, result]


def _database_rows(res: CorpusResult, small: CorpusResult) -> list[list[str]]:
    rows = []
    for sc in res.database:
        base = next((b for b in small.database if b.name == sc.name), None)
        growth = "—"
        if res is not small and sc.server and base and base.server and base.server.p50_ms:
            growth = f"{sc.server.p50_ms / base.server.p50_ms:.2f}×"
        cells = _load_cells(sc.server)
        rows.append([sc.label, cells[1], cells[2], cells[3], cells[0], f"{sc.body_bytes:,}", growth,
                     sc.status if sc.status != "ok" else ""])
    return rows


def _writes(w: WriteResult | None) -> str:
    if w is None:
        return "Not measured.\n"
    if not w.pairs:
        return f"**failed**: {w.error}\n"
    pair = lambda r: r.pair_ms  # noqa: E731
    row = [f"{w.pairs:,}", f"{w.words:,}", ms(w.median_of(pair, 50)), ms(w.median_of(pair, 95)),
           ms(w.median_of(pair, 99)), ms(w.median_of(lambda r: r.create_ms, 50)),
           ms(w.median_of(lambda r: r.publish_ms, 50))]
    text = table(["posts", "words", "p50", "p95", "p99", "create p50", "publish p50"], [row])
    return text + (f"\n**failed** after {w.pairs} posts: {w.error}\n" if w.error else "")


def _memory(res: CorpusResult) -> str:
    rows = [[m.role, f"{m.peak_kb / 1024:.1f} MB", f"{m.under_load_kb / 1024:.1f} MB" if m.under_load_kb else "—"]
            for m in res.memory]
    return table(["server", "peak resident (VmHWM)", "resident under load (highest VmRSS sampled)"], rows)


def corpus_section(res: CorpusResult, small: CorpusResult) -> str:
    parts = [f"## {res.corpus.title}\n"]
    if res.import_s is not None:
        parts.append(f"Imported into a fresh database in {res.import_s:.1f} s.\n")
    parts.append(f"The article is `{res.article_slug}` ({res.article_minutes} minutes).\n")
    parts.append("### Warm cache, against the ceiling\n")
    parts.append(table(["scenario", "req/s", "p50", "p95", "p99", "body bytes", "ceiling req/s", "vs ceiling",
                        "target", "result"], [_warm_row(sc) for sc in res.warm]))
    copied = [sc for sc in res.warm if sc.copying]
    if copied:
        parts.append(f"Bodies of {COPYING_FROM // 1024} KB or more, also against nginx with `sendfile off`, "
                     "which copies the body from user space into the socket as Longform does:\n")
        parts.append(table(["scenario", "req/s", "body bytes", "nginx, sendfile", "vs sendfile",
                            "nginx, copying", "vs copying"],
                           [[sc.label, rps(sc.server.rps), f"{sc.body_bytes:,}", rps(sc.ceiling.rps),
                             f"{sc.ratio or 0:.0%}", rps(sc.copying.rps), f"{sc.copying_ratio or 0:.0%}"]
                            for sc in copied if sc.server and sc.ceiling]))
    parts.append("### Database path (response cache off, one client)\n")
    parts.append(table(["request", "p50", "p95", "p99", "req/s", "body bytes", f"p50 vs {small.corpus.title}",
                        "note"], _database_rows(res, small)))
    parts.append("### Creating and publishing a 6,000-word post (one client)\n")
    parts.append(_writes(res.writes))
    parts.append("### Memory\n")
    parts.append(_memory(res))
    return "\n".join(parts)


def _comparison(c: Comparison) -> str:
    header = ["scenario", "req/s", f"req/s, {c.other}", "p50", f"p50, {c.other}", "p99", f"p99, {c.other}",
              "cost"]
    if c.budget is not None:
        header.append(f"within {c.budget:.0%}")
    failed = any(p.status != "ok" for p in c.pairs)
    if failed:
        header.append("note")
    rows = []
    for p in c.pairs:
        row = [p.label, rps(p.current.rps), rps(p.other.rps), ms(p.current.p50_ms), ms(p.other.p50_ms),
               ms(p.current.p99_ms), ms(p.other.p99_ms), f"{p.cost:+.1%}"]
        if c.budget is not None:
            row.append("met" if p.cost <= c.budget else f"missed by {points((p.cost - c.budget) * 100)}")
        if failed:
            row.append("" if p.status == "ok" else f"**{p.status}**")
        rows.append(row)
    return f"## {c.title}\n\n{c.about}\n\n" + table(header, rows)


def _how(r: Report) -> str:
    s, m = r.settings, r.machine
    def said(value: str) -> str:
        return f"`Accept-Encoding: {value}`" if value else "no `Accept-Encoding` (identity)"

    warm = " and, beside it, ".join(said(e) for e in s.warm_encodings)
    encoding = (f"{warm} to the warm cache (a scenario marked \"compressed\" is the first; nginx sends the very "
                f"bytes Longform sent, with their `Content-Encoding`), and {said(s.accept_encoding)} elsewhere")
    threads = min(s.threads, s.connections)
    return (
        "## How these were measured\n\n"
        f"`make bench` (`bench/run.py`, {r.elapsed_s / 60:.0f} minutes this time) builds the release binary, "
        "generates each corpus with `longform corpus`, imports it with `longform import`, and serves it with "
        "`longform serve --no-demo` on 127.0.0.1.\n\n"
        f"- Load: {m.wrk}, `-t{threads} -c{s.connections} -d{s.duration_s}s` for the warm cache; one connection "
        "for the database path (a run lengthened to fit at least three requests, up to 30 s, when one takes "
        f"seconds). Each figure is the median of {s.runs} run(s). Requests send {encoding}. Any answer of 400 "
        "or above, or a socket error, fails its scenario.\n"
        f"- Ceiling: {m.nginx}, {s.workers} worker(s) like the server (`LONGFORM_WORKERS`: the cores wrk leaves "
        "free), sendfile on, no access log, serving each scenario's answer as captured "
        "from the server (same bytes, same content type; a POST gets the file too), measured right after the "
        f"server in the same run. Bodies of {COPYING_FROM // 1024} KB or more are also served by a second nginx "
        "with sendfile off, in the same turns, as a reference for the copy (not a target).\n"
        f"- Servers log at `{s.server_log}` (no line per request, like the ceiling). SQLite runs on a copy of the "
        "imported file (WAL, synchronous=NORMAL); PostgreSQL is a throwaway cluster with its durability "
        "defaults (fsync and synchronous_commit on).\n"
        "- Search: warm like the others, and its p95 target judged on the database path (one client, cache "
        "off), since a warm cache answers any repeated query from memory.\n"
        "- Ghost's Content API (`/ghost/api/content/posts/`, with a content key an admin created): what a "
        "Ghost starter asks for its index (15 posts with `html`, tags and authors, Ghost's defaults) and the "
        "same page's cards alone (`fields`, `include=tags`), warm; and, on the database path, the deepest page "
        "of 15 cards a client may reach (offset paging, `page` × `limit` capped at 10,000).\n"
        "- Database path on PostgreSQL: judged against the same 2 ms as SQLite at its small size, PostgreSQL "
        "being measured at one size only.\n"
        "- Writes: create (201, a draft) then publish (200, `If-Match`) on one keep-alive connection, for "
        f"{s.write_seconds:g} s per run; the time is the sum of the two requests' own times.\n"
        "- Memory: `/proc/PID/status` of each server, VmHWM at the end of its job and the highest VmRSS "
        "sampled every 100 ms under wrk; the 60 MB target is judged on the highest of the servers that "
        "serve reads with the cache on, every corpus. On the first corpus a fourth server has its cache "
        "filled to 90 % of its 24 MB budget (every article asked with no `Accept-Encoding`, with `gzip`, and "
        "as a browser, until the background brotli stops adding), then loaded with the article.\n\n"
        "Run it again with `make bench` (about half an hour on 2 cores; the 100,000-post corpus and "
        "database are cached under `target/bench/`), or `BENCH_QUICK=1 make bench` to try the harness in a few "
        "minutes on tiny corpora (written to `target/bench/BENCHMARKS.quick.md`, never here). "
        "`BENCH_RUNS`, `BENCH_DURATION`, `BENCH_CONNECTIONS`, `BENCH_THREADS`, `BENCH_ACCEPT_ENCODING`, "
        "`BENCH_SERVER_LOG` and `BENCH_OUT` override the defaults. `BENCH_BASELINE=<git ref>` also builds that "
        "commit (in `target/bench/baseline/`) and compares its warm read path with this build's.\n"
    )


def _machine(m: Machine) -> str:
    return (
        "## Machine\n\n"
        f"{m.cores} cores ({m.cpu}), {m.memory_gib:.0f} GiB, {m.os} (Linux {m.kernel}); {m.rustc}; "
        f"commit {m.commit}; {m.date}.\n"
    )


def _once(r: Report) -> str:
    parts = ["## Import and cold start\n"]
    if r.import_runs:
        runs = ", ".join(f"{t:.2f} s" for t in r.import_runs)
        parts.append(f"`longform import` of {r.import_posts:,} posts into a fresh SQLite file: {runs} "
                     f"(median {statistics.median(r.import_runs):.2f} s).\n")
    if r.cold:
        runs = ", ".join(f"{t:.0f}" for t in r.cold.runs_ms)
        parts.append(f"Cold start, from spawning `longform serve` on a migrated {r.cold.posts:,}-post SQLite "
                     f"database to the first 200 of `GET /api/v1/posts` (polled every 2 ms): {runs} ms "
                     f"(median {r.cold.median_ms:.0f} ms), with its files in the page cache as after a restart. "
                     "With the binary and the database evicted from the page cache first (`posix_fadvise` "
                     "DONTNEED, as after a reboot): "
                     f"{', '.join(f'{t:.0f}' for t in r.cold.evicted_ms)} ms "
                     f"(median {r.cold.evicted_median_ms:.0f} ms).\n")
    return "\n".join(parts)


def _pathological(p: Pathological | None) -> str:
    if p is None:
        return ""
    parts = ["## Pathological Markdown\n",
             "Each body created as a draft through the editor API (`POST /api/v1/admin/posts`, one client, "
             f"median of {p.runs}), on an empty SQLite database: the time the editor waits, rendering and storing "
             "included. A body over the markup budget (a weighted count of the HTML elements and escaped characters "
             "it renders to, `crates/domain/src/markdown/budget.rs`) is refused with 400 before it is rendered: "
             "\"(refused)\" marks those times. Growth is the 1 MiB time over the 256 KiB time, for inputs accepted "
             "at both: 4 for linear work, 16 for quadratic.\n"]
    if p.error:
        parts.append(f"**failed**: {p.error}\n")
    header = ["input", *[f"{s // KIB} KiB" for s in SIZES], "growth"]
    def cell(t, size):
        if size not in t.ms:
            return "—"
        return ms(t.ms[size]) + (" (refused)" if size in t.refused else "")
    rows = [[t.label, *[cell(t, s) for s in SIZES], f"×{t.growth:.1f}" if t.growth else "—"] for t in p.timings]
    parts.append(table(header, rows))
    return "\n".join(parts)


def _flood(f: Flood | None) -> str:
    if f is None:
        return ""
    rows = [[who, rps(load.rps), ms(load.p50_ms), ms(load.p95_ms), ms(load.p99_ms)]
            for who, load in (("alone", f.quiet), ("during the flood", f.flooded))]
    answers = ", ".join(f"{count:,} {status}" for status, count in sorted(f.logins.items())) or "none counted"
    return ("## Reads during a login flood\n\n"
            "One client reads the index (from the response cache) with wrk, alone and then while a second wrk "
            "(64 connections) sends wrong passwords for one account, each from a new address "
            "(`X-Forwarded-For`, loopback trusted as the proxy), so that only the bound on password hashing "
            f"stands between the flood and the cores. Login answers during the flood: {answers}; the server's "
            f"peak resident memory: {f.peak_kb / 1024:.0f} MB.\n\n"
            + table(["reader", "req/s", "p50", "p95", "p99"], rows))


def render(r: Report) -> str:
    quick = ("\n**A quick run (`BENCH_QUICK=1`): tiny corpora and short runs, to try the harness; "
             "these figures say nothing about the targets.**\n" if r.settings.quick else "")
    summary = table(["target", "goal", "measured", "result"],
                    [[t.what, t.goal, t.measured or "—", verdict(t.verdict)] for t in r.targets])
    small = r.corpora[0]
    sections = [
        "# Benchmarks\n" + quick,
        "<!-- Everything above the notes marker is written by `make bench`; edit below it. -->\n",
        _machine(r.machine),
        "## Where each target stands\n\n" + summary,
        *[corpus_section(res, small) for res in r.corpora],
        _once(r),
        _pathological(r.pathological),
        _flood(r.flood),
        *[_comparison(c) for c in r.compared],
        _how(r),
    ]
    return "\n".join(sections)


def preserved_notes() -> str:
    """What follows the marker in the committed file; all of it (less the
    title) when there is no marker yet, so nothing written by hand is lost."""
    old = _read(str(REPORT))
    if NOTES_MARKER in old:
        return old.split(NOTES_MARKER, 1)[1].lstrip("\n")
    lines = old.splitlines(keepends=True)
    return "".join(lines[1:] if lines and lines[0].startswith("# ") else lines).lstrip("\n")


def write(r: Report) -> Path:
    text = render(r).rstrip("\n") + f"\n\n{NOTES_MARKER}\n\n" + preserved_notes()
    out = r.settings.out
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    partial.write_text(text)
    partial.replace(out)
    return out
