"""One corpus, start to finish: its database, then three servers in turn,
each with one job so that its memory figures belong to that job:

  warm     the response cache on: the read scenarios against the ceiling;
  database the cache off (LONGFORM_RESPONSE_CACHE=false): latency of the
           index, the article and the search with one client at a time;
  writes   creating and publishing 6,000-word posts (last: they change the index);

and, on the first corpus only, a fourth:

  full     the response cache filled to its byte budget with every article
           in three encodings, then loaded: the memory a busy site settles at.
"""

import json
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import data, scenarios, writes
from .ceiling import Ceiling
from .config import Corpus, Settings
from .load import Load, LoadResult, drive, drive_in_turn
from .pg import PgCluster
from .procs import Reaper, Server, fetch, server_env
from .scenarios import Captured, Scenario
from .shell import Fail, log
from .writes import WriteResult

PASSWORD = "bench-" + secrets.token_hex(12)  # only ever typed into throwaway databases
CACHE_BUDGET_BYTES = 12 * 1024 * 1024  # the response cache's budget (crates/api/src/cache.rs)
CACHE_FULL_SHARE = 0.9  # "full": once it holds this much of the budget
# What a mix of clients sends for one article: none, gzip only, and a browser.
FILL_ENCODINGS = ("", "gzip", "gzip, deflate, br, zstd")
BEST_VARIANTS_WAIT_S = 30  # for the background brotli queue to drain


@dataclass
class Tools:
    """What every corpus's measurements use, made once per run."""

    settings: Settings
    binary: Path
    binary_hash: str
    fingerprint: str
    wrk: str
    nginx: str
    reaper: Reaper
    workdir: Path  # the run's scratch space, removed at the end
    logs: Path
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    pg: PgCluster | None = None

    @property
    def throughput(self) -> Load:
        s = self.settings
        return Load(self.wrk, s.threads, s.connections, s.duration_s, s.runs)

    @property
    def latency(self) -> Load:
        """One connection: the time of a request, not of a queue of them."""
        s = self.settings
        return Load(self.wrk, 1, 1, s.duration_s, s.runs)

    def env(self, url: str, response_cache: bool = True) -> dict:
        return server_env(url, self.settings.server_log, self.jwt_secret, response_cache, self.settings.workers)

    def server(self, url: str, role: str, response_cache: bool = True) -> Server:
        log(f"starting the {role} server (response cache {'on' if response_cache else 'off'})")
        return Server(self.binary, self.env(url, response_cache), self.workdir, self.logs / f"server-{role}.log",
                      self.reaper)


# Bodies this large are also served by nginx with sendfile off (see Ceiling).
COPYING_FROM = 32 * 1024


@dataclass
class ScenarioResult:
    name: str
    label: str
    status: str = "ok"  # "ok", "not available", or "failed: why"
    body_bytes: int = 0
    server: LoadResult | None = None
    ceiling: LoadResult | None = None
    ceiling_target: float | None = None
    # nginx with sendfile off, for bodies of COPYING_FROM bytes or more.
    copying: LoadResult | None = None

    @property
    def ratio(self) -> float | None:
        if self.server and self.ceiling and self.ceiling.rps:
            return self.server.rps / self.ceiling.rps
        return None

    @property
    def copying_ratio(self) -> float | None:
        if self.server and self.copying and self.copying.rps:
            return self.server.rps / self.copying.rps
        return None


@dataclass
class MemoryFigures:
    role: str
    peak_kb: int  # VmHWM at the end of the server's job
    under_load_kb: int  # the highest VmRSS sampled while wrk ran (0 when nothing ran under wrk)


@dataclass
class CorpusResult:
    corpus: Corpus
    article_slug: str = ""
    article_minutes: int = 0
    ghost: scenarios.Ghost | None = None
    warm: list[ScenarioResult] = field(default_factory=list)
    database: list[ScenarioResult] = field(default_factory=list)
    writes: WriteResult | None = None
    memory: list[MemoryFigures] = field(default_factory=list)
    import_s: float | None = None  # PostgreSQL is imported on every run
    cache_full_mb: float | None = None  # what the cache held when its memory was read


def database_url(tools: Tools, corpus: Corpus, result: CorpusResult) -> tuple[str, Path]:
    """The URL servers use, and the corpus folder it was imported from."""
    s = tools.settings
    folder = data.corpus_dir(tools.binary, s.cache_dir / "cache", tools.fingerprint, corpus.posts)
    if corpus.backend == "sqlite":
        cached = data.sqlite_database(tools.binary, s.cache_dir / "cache", tools.binary_hash, folder, corpus.posts,
                                      tools.env(""), tools.logs)
        return f"sqlite://{data.working_copy(cached, tools.workdir)}", folder
    if tools.pg is None:
        tools.pg = PgCluster(tools.reaper)
    url = tools.pg.create_database(f"longform_{corpus.posts}")
    log(f"PostgreSQL database of {corpus.posts:,} posts: importing")
    result.import_s = data.import_corpus(tools.binary, folder, url, tools.env(url), tools.logs / "import-pg.log")
    log(f"PostgreSQL database of {corpus.posts:,} posts: imported in {result.import_s:.1f} s")
    return url, folder


def check(result: ScenarioResult) -> None:
    """Any 4xx/5xx under load fails the scenario, reported rather than hidden."""
    for side, load in (("server", result.server), ("ceiling", result.ceiling),
                       ("copying nginx", result.copying)):
        if load and load.empty_runs:
            result.status = f"failed: no request completed within {load.empty_runs} run(s) on the {side}"
            return
        if load and load.http_errors:
            result.status = f"failed: {load.http_errors} responses of 400 or above from the {side}"
            return
        if load and load.socket_errors:
            result.status = f"failed: {load.socket_errors} socket errors or timeouts on the {side}"
            return


def _captures(items: list[Scenario]) -> tuple[dict[str, Captured], list[ScenarioResult]]:
    captured, results = {}, []
    for sc in items:
        answer = scenarios.capture(sc.request)
        result = ScenarioResult(sc.name, sc.label, body_bytes=len(answer.body), ceiling_target=sc.ceiling_target)
        if answer.status == 404 and sc.optional:
            result.status = "not available"
        elif answer.status != 200:
            result.status = f"failed: answered {answer.status} before the run"
        else:
            captured[sc.name] = answer
        results.append(result)
    return captured, results


def warm_cache(tools: Tools, url: str, result: CorpusResult) -> None:
    server = tools.server(url, f"warm-{result.corpus.key}")
    try:
        result.article_slug, result.article_minutes = scenarios.find_article(server.url)
        log(f"article: {result.article_slug} ({result.article_minutes} min)")
        digest = scenarios.register_persisted_query(server.url, scenarios.INDEX_QUERY)
        items = [sc for encoding in tools.settings.warm_encodings
                 for sc in scenarios.encoded(scenarios.read_scenarios(server.url, result.article_slug, digest,
                                                                      result.ghost.key, encoding), encoding)]
        captured, result.warm = _captures(items)
        statics = [c.static(n) for n, c in captured.items()]
        ceiling = Ceiling(tools.nginx, tools.settings.workers, statics, tools.reaper)
        large = [s for s in statics if len(s.body) >= COPYING_FROM]
        copying = Ceiling(tools.nginx, tools.settings.workers, large, tools.reaper, sendfile=False) if large else None
        try:
            for sc, res in zip(items, result.warm, strict=True):
                if sc.name in captured:
                    big = copying if res.body_bytes >= COPYING_FROM else None
                    _server_then_ceiling(tools, sc, res, server, ceiling, big)
                else:
                    log(f"  {sc.label}: {res.status}")
        finally:
            ceiling.stop()
            if copying:
                copying.stop()
        rss = max((r.server.rss_under_load_kb for r in result.warm if r.server), default=0)
        result.memory.append(MemoryFigures("warm cache", _peak(server), rss))
    finally:
        server.stop()


def ghost_setup(tools: Tools, url: str, result: CorpusResult) -> None:
    """A content key for the Ghost scenarios, made on a server of its own:
    signing in hashes a password (argon2, 19 MiB), which a server keeps
    resident afterwards, and the read servers' memory is a target."""
    server = tools.server(url, f"setup-{result.corpus.key}")
    try:
        result.ghost = scenarios.ghost_access(server.url, writes.login(server.url, PASSWORD))
    finally:
        server.stop()


def _server_then_ceiling(tools: Tools, sc: Scenario, res: ScenarioResult, server: Server, ceiling: Ceiling,
                         copying: Ceiling | None) -> None:
    """The same request to the server and to nginx (and, for a large body,
    to nginx copying it), their runs in turn and never at once, so that they
    never compete for the cores."""
    targets = [(sc.request, server.pid)]
    for nginx in (ceiling, copying) if copying else (ceiling,):
        static_request = sc.request.to(nginx.url, f"/c/{sc.name}")
        scenarios.capture(static_request)  # warm-up, and a check that nginx answers
        targets.append((static_request, None))
    res.server, res.ceiling, *rest = drive_in_turn(tools.throughput, targets)
    res.copying = rest[0] if rest else None
    check(res)
    status = "" if res.status == "ok" else f" {res.status}"
    copied = f"; nginx copying {res.copying.rps:,.0f} req/s ({res.copying_ratio or 0:.0%})" if res.copying else ""
    log(f"  {sc.label}: {res.server.rps:,.0f} req/s, p50 {res.server.p50_ms:.2f} ms; "
        f"ceiling {res.ceiling.rps:,.0f} req/s ({res.ratio or 0:.0%}){copied}{status}")


def database_path(tools: Tools, url: str, result: CorpusResult) -> None:
    server = tools.server(url, f"database-{result.corpus.key}", response_cache=False)
    try:
        encoding = tools.settings.accept_encoding
        base = scenarios.read_scenarios(server.url, result.article_slug, "0" * 64, result.ghost.key, encoding)
        items = [sc for sc in base if sc.name in ("index", "article", "search")]
        items.append(scenarios.ghost_deep(server.url, result.ghost, encoding))
        captured, result.database = _captures(items)
        for sc, res in zip(items, result.database, strict=True):
            res.ceiling_target = None
            if sc.name not in captured:
                log(f"  {sc.label} (cache off): {res.status}")
                continue
            load = tools.latency.long_enough_for(captured[sc.name].seconds)
            res.server = drive(load, sc.request, server.pid)
            check(res)
            log(f"  {sc.label} (cache off): p50 {res.server.p50_ms:.2f} ms, p95 {res.server.p95_ms:.2f} ms, "
                f"{res.server.rps:,.0f} req/s (one client)")
        rss = max((r.server.rss_under_load_kb for r in result.database if r.server), default=0)
        result.memory.append(MemoryFigures("cache off", _peak(server), rss))
    finally:
        server.stop()


def write_path(tools: Tools, url: str, folder: Path, result: CorpusResult) -> None:
    s = tools.settings
    markdown = writes.body_markdown(folder)
    server = tools.server(url, f"writes-{result.corpus.key}")
    try:
        token = writes.login(server.url, PASSWORD)
        result.writes = writes.measure(server.url, token, markdown, s.runs, s.write_seconds)
        w = result.writes
        note = f" ({w.error})" if w.error else ""
        log(f"  create and publish ({w.words:,} words): p50 {w.median_of(lambda r: r.pair_ms, 50):.1f} ms "
            f"over {w.pairs} posts{note}")
        result.memory.append(MemoryFigures("writes", _peak(server), 0))
    finally:
        server.stop()


def _cache_bytes(base_url: str) -> int:
    answer = fetch(f"{base_url}/metrics")
    found = re.search(rb"^longform_response_cache_bytes (\d+)$", answer.body, re.M)
    if answer.status != 200 or not found:
        raise Fail(f"/metrics answered {answer.status} without longform_response_cache_bytes")
    return int(found.group(1))


def _slugs(base_url: str) -> list[str]:
    slugs, after = [], ""
    while True:
        answer = fetch(f"{base_url}/api/v1/posts?limit=100{after}")
        if answer.status != 200:
            raise Fail(f"GET /api/v1/posts answered {answer.status} while listing the articles")
        page = json.loads(answer.body)
        slugs += [card["slug"] for card in page["posts"]]
        cursor = page["meta"]["pagination"]["next_cursor"]
        if not cursor:
            return slugs
        after = f"&after={cursor}"


def cache_full(tools: Tools, url: str, result: CorpusResult) -> None:
    """Fill the response cache with articles, each asked in three encodings
    (so it holds identity, gzip and, from the background, brotli), until it
    holds 90 % of its budget; then load the article and read the memory."""
    server = tools.server(url, f"cache-full-{result.corpus.key}")
    try:
        held, articles = 0, 0
        for slug in _slugs(server.url):
            for encoding in FILL_ENCODINGS:
                headers = {"Accept-Encoding": encoding} if encoding else {}
                answer = fetch(f"{server.url}/api/v1/posts/{slug}", headers=headers)
                if answer.status != 200:
                    raise Fail(f"GET /api/v1/posts/{slug} answered {answer.status} while filling the cache")
            articles += 1
            if articles % 10 == 0 and (held := _cache_bytes(server.url)) >= CACHE_FULL_SHARE * CACHE_BUDGET_BYTES:
                break
        deadline, before = time.monotonic() + BEST_VARIANTS_WAIT_S, -1
        while held != before and time.monotonic() < deadline:  # until the background brotli stops adding
            time.sleep(0.5)
            before, held = held, _cache_bytes(server.url)
        log(f"  {articles} articles asked in {len(FILL_ENCODINGS)} encodings: the cache holds {held / 2**20:.1f} MB")
        encoding = tools.settings.warm_encodings[0]
        article = next(sc for sc in scenarios.read_scenarios(server.url, result.article_slug, "0" * 64, "", encoding)
                       if sc.name == "article")
        scenarios.capture(article.request)
        load = drive(Load(tools.wrk, tools.settings.threads, tools.settings.connections,
                          tools.settings.duration_s, 1), article.request, server.pid)
        result.memory.append(MemoryFigures(f"cache full ({held / 2**20:.1f} MB held)", _peak(server),
                                           load.rss_under_load_kb))
        result.cache_full_mb = held / 2**20
    finally:
        server.stop()


def _peak(server: Server) -> int:
    memory = server.memory()
    return memory.hwm_kb if memory else 0


def measure_corpus(tools: Tools, corpus: Corpus) -> CorpusResult:
    log(f"=== {corpus.title} ===")
    result = CorpusResult(corpus)
    url, folder = database_url(tools, corpus, result)
    # The content key of the Ghost scenarios and the write path's sign-in.
    writes.create_admin(tools.binary, tools.env(url), PASSWORD)
    ghost_setup(tools, url, result)
    warm_cache(tools, url, result)
    if corpus == tools.settings.small:
        cache_full(tools, url, result)
    database_path(tools, url, result)
    write_path(tools, url, folder, result)
    if url.startswith("sqlite://"):
        copy = Path(url.removeprefix("sqlite://"))
        for part in copy.parent.glob(f"{copy.name}*"):
            part.unlink()  # the working copy and its -wal/-shm: gigabytes at 100,000 posts
    return result


def scratch_dir(settings: Settings) -> tempfile.TemporaryDirectory:
    """The run's working copies live beside the cache, not in /tmp: at
    100,000 posts one is gigabytes, and /tmp may be memory."""
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    for stale in settings.cache_dir.glob("work-*"):  # left by a run that was killed
        log(f"removing {stale}, left by an earlier run")
        shutil.rmtree(stale, ignore_errors=True)
    return tempfile.TemporaryDirectory(prefix="work-", dir=settings.cache_dir)
