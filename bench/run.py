#!/usr/bin/env python3
"""`make bench`: build longform (release), generate and import the corpora,
drive the real server with wrk next to an nginx ceiling, and rewrite
BENCHMARKS.md (issue 8). BENCH_QUICK=1 tries it in a few minutes.

Exits non-zero with one line on stderr when the run cannot go on, and
stops every server and the PostgreSQL cluster on the way out, however it ends.
"""

import atexit
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True  # no __pycache__ left in the work tree

from harness import build, compare, config, data, flood, pathological, report, startup, targets  # noqa: E402
from harness.ceiling import nginx_binary  # noqa: E402
from harness.measure import PASSWORD, CorpusResult, Tools, measure_corpus, scratch_dir  # noqa: E402
from harness.procs import Reaper  # noqa: E402
from harness.shell import Fail, ensure_tool, fatal, log  # noqa: E402

IMPORT_RUNS = 3  # the import figure is the median of three, quick run or not


def _stop_on_sigterm(signum, frame) -> None:
    # An exception unwinds through every finally block, which stops the servers.
    raise Fail(f"stopped by signal {signum}")


def prepare(settings: config.Settings, reaper: Reaper, scratch: Path) -> Tools:
    wrk = ensure_tool("wrk", "wrk")
    nginx = nginx_binary()
    binary = build.build(settings)
    log("fingerprinting the binary and its corpus generator")
    logs = settings.cache_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    return Tools(settings, binary, build.file_sha256(binary), build.corpus_fingerprint(binary), wrk, nginx,
                 reaper, scratch, logs)


def import_and_cold_start(tools: Tools) -> tuple[list[float], startup.ColdStart]:
    s = tools.settings
    cache = s.cache_dir / "cache"
    log(f"=== importing {s.import_posts:,} posts into a fresh SQLite file, {IMPORT_RUNS} times ===")
    folder = data.corpus_dir(tools.binary, cache, tools.fingerprint, s.import_posts)
    import_runs = data.time_imports(tools.binary, folder, IMPORT_RUNS, tools.env(""), tools.logs, tools.workdir)
    log(f"=== cold start on {s.cold_start_posts:,} posts, {s.cold_start_runs} runs ===")
    folder = data.corpus_dir(tools.binary, cache, tools.fingerprint, s.cold_start_posts)
    database = data.sqlite_database(tools.binary, cache, tools.binary_hash, folder, s.cold_start_posts,
                                    tools.env(""), tools.logs)
    copy = data.working_copy(database, tools.workdir)
    env = tools.env(f"sqlite://{copy}")
    cold = startup.measure(tools.binary, env, copy, tools.workdir, tools.logs / "server-cold-start.log",
                           s.cold_start_runs, s.cold_start_posts, tools.reaper)
    log(f"  cold start: {', '.join(f'{t:.0f}' for t in cold.runs_ms)} ms (median {cold.median_ms:.0f} ms); "
        f"files evicted first: {', '.join(f'{t:.0f}' for t in cold.evicted_ms)} ms "
        f"(median {cold.evicted_median_ms:.0f} ms)")
    return import_runs, cold


def _flood_copy(tools: Tools) -> Path:
    """A working copy of the small corpus's database, for the flood's server."""
    cached = compare.small_database(tools, tools.binary, tools.binary_hash, tools.settings.cache_dir / "cache")
    folder = tools.workdir / "flood"
    folder.mkdir(exist_ok=True)
    return data.working_copy(cached, folder)


def failures(results: report.Report) -> list[str]:
    out = []
    for res in results.corpora:
        for sc in res.warm + res.database:
            if sc.status.startswith("failed"):
                out.append(f"{res.corpus.title}: {sc.label}: {sc.status}")
        if res.writes and res.writes.error:
            out.append(f"{res.corpus.title}: create and publish: {res.writes.error}")
    for c in results.compared:
        out += [f"{c.title}: {p.label}: {p.status}" for p in c.pairs if p.status != "ok"]
    if results.pathological and results.pathological.error:
        out.append(f"pathological Markdown: {results.pathological.error}")
    return out


def measure_all(settings: config.Settings, reaper: Reaper, started: float) -> report.Report:
    commit = report.git_commit()  # what is built; the tree may change while the run goes on
    with scratch_dir(settings) as scratch:
        try:
            tools = prepare(settings, reaper, Path(scratch))
            corpora = [measure_corpus(tools, corpus) for corpus in settings.corpora]
            import_runs, cold = import_and_cold_start(tools)
            log("=== pathological Markdown ===")
            patho = pathological.measure(tools.binary, tools.env(f"sqlite://{tools.workdir / 'pathological.db'}"),
                                         tools.workdir, tools.logs, reaper, settings.runs, PASSWORD)
            log("=== public reads during a login flood ===")
            flooded = flood.measure(tools.binary, tools.env(f"sqlite://{_flood_copy(tools)}"), tools.workdir,
                                    tools.logs, reaper, tools.wrk, settings.duration_s, PASSWORD)
            compared = [compare.metrics_cost(tools), compare.log_level_cost(tools), compare.autosave_cost(tools)]
            if settings.baseline:
                compared.append(compare.against_commit(tools, settings.baseline))
        finally:
            reaper.stop_all()  # before the scratch directory (and the databases in it) goes
    machine = report.machine(settings, build.rustc_version(), tools.wrk, tools.nginx, commit)
    judged = targets.evaluate(corpora, import_runs, settings.import_posts, cold, patho, flooded)
    return report.Report(settings, machine, corpora, judged, import_runs, settings.import_posts, cold,
                         compared, time.monotonic() - started, patho, flooded)


def main() -> int:
    started = time.monotonic()
    settings = config.load()
    mode = "quick" if settings.quick else "full"
    log(f"{mode} run: corpora {', '.join(c.title for c in settings.corpora)}; {settings.runs} run(s) of "
        f"{settings.duration_s} s each; wrk -t{settings.threads} -c{settings.connections}; {settings.cores} cores")
    reaper = Reaper()
    atexit.register(reaper.stop_all)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        results = measure_all(settings, reaper, started)
        out = report.write(results)
    except Fail as e:
        fatal(str(e))
        return 1
    except KeyboardInterrupt:
        fatal("interrupted")
        return 130
    log(f"wrote {out} in {(time.monotonic() - started) / 60:.1f} minutes")
    failed = failures(results)
    for line in failed:
        print(f"  FAILED: {line}", file=sys.stderr)
    if failed:
        fatal(f"{len(failed)} scenario(s) failed (see above and {out})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
