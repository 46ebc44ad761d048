"""The warm read path of this build beside a variant of it, to see what
one change costs per request:

  metrics off   the same binary with LONGFORM_METRICS=false, on every run
                (issue 12: counting requests may add at most 3 %);
  log level     the default level (info: a line per request) against warn,
                on every run;
  autosave      an editor saving a draft once a second during the load
                (each save empties the response cache), on every run;
  a commit      `BENCH_BASELINE=<git ref>`: that commit, taken out with
                `git archive` and built in the bench cache (release, its own
                target directory, kept between runs).

Each side serves its own copy of the small SQLite corpus; both servers run
at once but are loaded in turn (A B A B ...), so that the machine's drift
weighs on both alike. With the cache warm and identity encoding, a
request's cost is the server's own work per request, which is what a
middleware or a counter adds to.
"""

import os
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import data, scenarios, writes
from .build import BUILD_TIMEOUT_S, file_sha256
from .config import REPO
from .load import Load, LoadResult, drive_in_turn
from .measure import PASSWORD, ScenarioResult, Tools, check
from .procs import Server
from .shell import Fail, log, run

# The scenarios compared: the index and the article, REST and GraphQL.
COMPARED = ("index", "gql_get", "article")
# For a cost that is not per request but per run (a log line, a cache
# emptied once a second), REST's index and article suffice.
COSTS_OF = ("index", "article")
# What counting requests may cost (issue 12).
METRICS_BUDGET = 0.03
# An editor's autosave, once a second: every content write empties the response cache.
AUTOSAVES_PER_S = 1  # the text says "once a second"


@dataclass(frozen=True)
class Side:
    name: str
    binary: Path
    database: Path  # a cached database; the server gets a working copy
    env: dict
    autosave_per_s: float = 0.0  # drafts saved a second while this side is loaded


@dataclass
class Pair:
    label: str
    current: LoadResult
    other: LoadResult
    status: str = "ok"

    @property
    def cost(self) -> float:
        """The share of the other side's throughput this build gives up
        (negative: it is faster): the median over the rounds of each pair
        of neighbouring runs, which the machine's drift between rounds
        (a third up or down on a small VM) leaves alone."""
        ratios = [a.rps / b.rps for a, b in zip(self.current.runs, self.other.runs, strict=True) if b.rps]
        return 1 - statistics.median(ratios) if ratios else 0.0


@dataclass
class Comparison:
    title: str  # "Metrics on against off", "Against f4ff9b2"
    other: str  # what the other side is, for the table's header
    about: str  # one paragraph
    rounds: int
    budget: float | None
    pairs: list[Pair]


def metrics_cost(tools: Tools) -> Comparison:
    database = small_database(tools, tools.binary, tools.binary_hash, tools.settings.cache_dir / "cache")
    on = Side("metrics-on", tools.binary, database, tools.env(""))
    off = Side("metrics-off", tools.binary, database, {**tools.env(""), "LONGFORM_METRICS": "false"})
    rounds, pairs = _compare(tools, on, off)
    about = (f"The same binary with `metrics` on (the default) and off (`LONGFORM_METRICS=false`: no request is "
             f"counted, `/metrics` answers 404), {tools.settings.small.title}, {rounds} runs each, taken in turn. "
             "Requests per second and p50 are medians; the cost is the median, over the rounds, of the share of "
             "the requests per second that counting takes.")
    return Comparison("What metrics cost", "metrics off", about, rounds, METRICS_BUDGET, pairs)


def log_level_cost(tools: Tools) -> Comparison:
    database = small_database(tools, tools.binary, tools.binary_hash, tools.settings.cache_dir / "cache")
    info = Side("log-info", tools.binary, database, {**tools.env(""), "LONGFORM_LOG": "info"})
    warn = Side("log-warn", tools.binary, database, {**tools.env(""), "LONGFORM_LOG": "warn"})
    rounds, pairs = _compare(tools, info, warn, COSTS_OF, rounds_per_run=2)
    about = (f"The same binary logging at `info` (the default: one line per request, to a file here) and at "
             f"`warn` (what the other tables use), {tools.settings.small.title}, {rounds} runs each, taken in "
             "turn. The cost is the median, over the rounds, of the share of the requests per second the log "
             "line takes.")
    return Comparison("What the default log level costs", "log warn", about, rounds, None, pairs)


def autosave_cost(tools: Tools) -> Comparison:
    database = small_database(tools, tools.binary, tools.binary_hash, tools.settings.cache_dir / "cache")
    saving = Side("autosave", tools.binary, database, tools.env(""), autosave_per_s=AUTOSAVES_PER_S)
    quiet = Side("no-writes", tools.binary, database, tools.env(""))
    # As browsers ask: after each save, the brotli variant is made again.
    rounds, pairs = _compare(tools, saving, quiet, COSTS_OF, rounds_per_run=2,
                             encoding=tools.settings.warm_encodings[0])
    about = (f"The same binary with an editor saving a draft once a second during the load, and with no "
             f"writes, {tools.settings.small.title}, {rounds} runs each, taken in turn, sent as a browser sends "
             "them. A draft's save changes nothing public, so it leaves the response cache alone (a write the "
             "public sees, such as an edit of a published post, empties it). The cost is the median, over the "
             "rounds, of the share of the requests per second the saves take.")
    return Comparison("What a write a second costs the readers", "no writes", about, rounds, None, pairs)


def against_commit(tools: Tools, ref: str) -> Comparison:
    commit, subject = _resolve(ref)
    binary = _build(tools, commit)
    cache = tools.settings.cache_dir / "baseline" / "cache"  # its own tree: nothing of ours is pruned
    current = Side("current", tools.binary, small_database(tools, tools.binary, tools.binary_hash,
                                                             tools.settings.cache_dir / "cache"), tools.env(""))
    other = Side(f"at-{commit[:12]}", binary, small_database(tools, binary, file_sha256(binary), cache),
                 tools.env(""))
    rounds, pairs = _compare(tools, current, other)
    about = (f"This build beside commit `{commit[:12]}` (\"{subject}\"), each serving its own import of "
             f"{tools.settings.small.title}, {rounds} runs each, taken in turn. The cost is the median, over the "
             "rounds, of the share of the commit's requests per second this build gives up (negative: faster).")
    return Comparison(f"Against {ref}", f"at {ref}", about, rounds, None, pairs)


def small_database(tools: Tools, binary: Path, binary_hash: str, cache: Path) -> Path:
    corpus = tools.settings.small
    folder = data.corpus_dir(tools.binary, tools.settings.cache_dir / "cache", tools.fingerprint, corpus.posts)
    return data.sqlite_database(binary, cache, binary_hash, folder, corpus.posts, tools.env(""), tools.logs)


def _compare(tools: Tools, current: Side, other: Side, names: tuple[str, ...] = COMPARED,
             rounds_per_run: int = 3, encoding: str | None = None) -> tuple[int, list[Pair]]:
    s = tools.settings
    log(f"=== {current.name} against {other.name}, {s.small.title} ===")
    servers: list[Server] = []
    autosaves: list[writes.Autosave] = []
    try:
        for side in (current, other):
            folder = tools.workdir / side.name
            folder.mkdir(exist_ok=True)
            copy = data.working_copy(side.database, folder)
            env = {**side.env, "LONGFORM_DATABASE_URL": f"sqlite://{copy}"}
            if side.autosave_per_s:
                writes.create_admin(side.binary, env, PASSWORD)
            log(f"starting the {side.name} server")
            servers.append(Server(side.binary, env, tools.workdir, tools.logs / f"server-{side.name}.log",
                                  tools.reaper))
            if side.autosave_per_s:
                autosaves.append(writes.Autosave(servers[-1].url, PASSWORD, side.autosave_per_s))
        here, there = servers
        slug, _ = scenarios.find_article(here.url)
        digest = scenarios.register_persisted_query(here.url, scenarios.INDEX_QUERY)
        if scenarios.register_persisted_query(there.url, scenarios.INDEX_QUERY) != digest:
            raise Fail("the two servers hash the persisted query differently")
        # Pairs of runs: more than elsewhere, the differences being small (two
        # in a quick run, which only tries the harness).
        rounds = 2 if s.quick else rounds_per_run * s.runs
        load = Load(tools.wrk, s.threads, s.connections, s.duration_s, rounds)
        encoding = s.accept_encoding if encoding is None else encoding
        items = scenarios.encoded(scenarios.read_scenarios(here.url, slug, digest, "", encoding), encoding)
        pairs = [_pair(load, sc, here, there) for sc in items if sc.name.removesuffix("_br") in names]
        for autosave in autosaves:
            if autosave.error:
                raise Fail(autosave.error)
            log(f"  {autosave.saves} drafts saved during the loads")
        return rounds, pairs
    finally:
        for autosave in autosaves:
            autosave.stop()
        for server in servers:
            server.stop()


def _pair(load: Load, sc: scenarios.Scenario, here: Server, there: Server) -> Pair:
    other = sc.request.to(there.url)
    for request, who in ((sc.request, "current"), (other, "other")):
        answer = scenarios.capture(request)  # also the warm-up
        if answer.status != 200:
            raise Fail(f"{sc.label} answered {answer.status} on the {who} server")
    now, then = drive_in_turn(load, [(sc.request, here.pid), (other, there.pid)])
    checked = ScenarioResult(sc.name, sc.label, server=now, ceiling=then)
    check(checked)
    pair = Pair(sc.label, now, then, checked.status)
    log(f"  {sc.label}: {now.rps:,.0f} req/s against {then.rps:,.0f} ({pair.cost:+.1%} cost)")
    return pair


def _resolve(ref: str) -> tuple[str, str]:
    """The full commit `ref` names, and its subject line."""
    commit = run(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], f"git rev-parse {ref}", 30,
                 cwd=REPO).stdout.strip()
    subject = run(["git", "log", "-1", "--format=%s", commit], "git log", 30, cwd=REPO).stdout.strip()
    return commit, subject


def _build(tools: Tools, commit: str) -> Path:
    """The release binary of `commit`, built in the bench cache (cargo reuses what it can)."""
    s = tools.settings
    root = s.cache_dir / "baseline"
    source = root / f"src-{commit[:12]}"
    if not (source / "Cargo.lock").exists():
        source.mkdir(parents=True, exist_ok=True)
        log(f"taking {commit[:12]} out of git into {source}")
        archive = subprocess.Popen(["git", "archive", "--format=tar", commit], cwd=REPO, stdout=subprocess.PIPE)
        try:
            run(["tar", "-x", "-C", str(source)], "tar -x", 300, stdin=archive.stdout)
        finally:
            assert archive.stdout is not None
            archive.stdout.close()
            if archive.wait(timeout=300) != 0:
                raise Fail(f"git archive {commit} failed")
    target = root / "target"
    log(f"building {commit[:12]} (cargo build --release --locked, target {target})")
    env = {**os.environ, "CARGO_TARGET_DIR": str(target)}
    try:
        done = subprocess.run([s.cargo, "build", "--release", "--locked"], cwd=source, env=env,
                              timeout=BUILD_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise Fail(f"the build of {commit[:12]} did not finish within {BUILD_TIMEOUT_S} s") from e
    if done.returncode != 0:
        raise Fail(f"the build of {commit[:12]} failed (cargo exit {done.returncode})")
    return target / "release" / "longform"
