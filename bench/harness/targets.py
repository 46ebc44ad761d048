"""Issue 8's targets, each judged from a run's results: met, or missed and
by how much. Sizes come from the run (a quick run judges its tiny corpora
the same way, which is only good for trying the harness)."""

import statistics
from dataclasses import dataclass

from .measure import CorpusResult, ScenarioResult
from .flood import P99_TARGET_MS, Flood
from .pathological import GROWTH_LIMIT, JUDGED_MS, JUDGED_SIZE, KIB, Pathological
from .startup import ColdStart

DB_INDEX_P50_MS = 2.0
FLAT_RATIO = 1.5
WRITE_P50_MS = 20.0
IMPORT_S = 10.0
SEARCH_P95_MS = 25.0
MEMORY_MB = 60.0
COLD_START_MS = 300.0


@dataclass
class Verdict:
    met: bool | None  # None: could not be judged (not available, or failed)
    text: str


@dataclass
class Target:
    what: str
    goal: str
    measured: str
    verdict: Verdict


def below(value: float, limit: float, unit: str) -> Verdict:
    if value < limit:
        return Verdict(True, "met")
    return Verdict(False, f"by {value - limit:,.2f} {unit} (+{value / limit - 1:.0%})")


def at_least(share: float, goal: float) -> Verdict:
    if share >= goal:
        return Verdict(True, "met")
    return Verdict(False, f"by {points((goal - share) * 100)}")


def points(n: float) -> str:
    return f"{n:.0f} point" + ("" if round(n) == 1 else "s")


def unjudged(why: str) -> Verdict:
    return Verdict(None, why)


def all_of(verdicts: list[Verdict]) -> Verdict:
    if not verdicts:
        return unjudged("not measured")
    missed = [v.text for v in verdicts if v.met is False]
    if missed:
        return Verdict(False, "; ".join(missed))
    if any(v.met is None for v in verdicts):
        return unjudged("; ".join(v.text for v in verdicts if v.met is None))
    return Verdict(True, "met")


def short(corpus_result: CorpusResult) -> str:
    c = corpus_result.corpus
    return f"{'SQLite' if c.backend == 'sqlite' else 'PostgreSQL'} {c.posts:,}"


def scenario(result: CorpusResult, section: str, name: str) -> ScenarioResult | None:
    return next((r for r in getattr(result, section) if r.name == name), None)


def ceiling_target(results: list[CorpusResult], name: str, label: str, goal: float) -> Target:
    figures, verdicts = [], []
    for res in results:
        sc = scenario(res, "warm", name)
        if sc is None or sc.ratio is None or sc.status != "ok":
            verdicts.append(unjudged(f"{short(res)}: {sc.status if sc else 'not measured'}"))
            continue
        figures.append(f"{short(res)}: {sc.ratio:.0%}")
        verdict = at_least(sc.ratio, goal)
        verdicts.append(Verdict(verdict.met, f"{short(res)} {verdict.text}"))
    return Target(f"warm cache: {label}", f"≥ {goal:.0%} of the ceiling's req/s", " · ".join(figures),
                  all_of(verdicts))


def _p50(result: CorpusResult, name: str) -> float | None:
    sc = scenario(result, "database", name)
    return sc.server.p50_ms if sc and sc.server and sc.status == "ok" else None


def database_targets(small: CorpusResult, large: CorpusResult, pg: CorpusResult) -> list[Target]:
    out = []
    p50 = _p50(small, "index")
    out.append(Target(f"database path: index p50, {short(small)}", f"< {DB_INDEX_P50_MS:g} ms",
                      f"{p50:.2f} ms" if p50 is not None else "—",
                      below(p50, DB_INDEX_P50_MS, "ms") if p50 is not None else unjudged("not measured")))
    big = _p50(large, "index")
    if p50 and big is not None:
        ratio = big / p50
        verdict = Verdict(True, "met") if ratio <= FLAT_RATIO else Verdict(False, f"by {ratio - FLAT_RATIO:.2f}×")
        out.append(Target(f"database path: index p50, {short(large)} vs {short(small)}", f"≤ {FLAT_RATIO}×",
                          f"{big:.2f} ms, {ratio:.2f}×", verdict))
    pg_p50 = _p50(pg, "index")
    out.append(Target(f"database path: index p50, {short(pg)}",
                      f"< {DB_INDEX_P50_MS:g} ms (measured at one size only)",
                      f"{pg_p50:.2f} ms" if pg_p50 is not None else "—",
                      below(pg_p50, DB_INDEX_P50_MS, "ms") if pg_p50 is not None else unjudged("not measured")))
    return out


def write_target(results: list[CorpusResult]) -> Target:
    figures, verdicts = [], []
    for res in results:
        w = res.writes
        if w is None or not w.pairs:
            verdicts.append(unjudged(f"{short(res)}: {w.error if w else 'not measured'}"))
            continue
        p50 = w.median_of(lambda r: r.pair_ms, 50)
        figures.append(f"{short(res)}: {p50:.1f} ms")
        verdict = below(p50, WRITE_P50_MS, "ms") if not w.error else Verdict(False, f"failed ({w.error})")
        verdicts.append(Verdict(verdict.met, f"{short(res)} {verdict.text}"))
    return Target("create and publish a 6,000-word post: p50", f"< {WRITE_P50_MS:g} ms", " · ".join(figures),
                  all_of(verdicts))


def search_target(large: CorpusResult) -> Target:
    sc = scenario(large, "database", "search")
    what = f"search p95, {short(large)} (cache off, one client)"
    if sc is None or sc.server is None or sc.status != "ok":
        status = sc.status if sc else "not measured"
        return Target(what, f"< {SEARCH_P95_MS:g} ms", "—", unjudged(status))
    return Target(what, f"< {SEARCH_P95_MS:g} ms", f"{sc.server.p95_ms:.2f} ms",
                  below(sc.server.p95_ms, SEARCH_P95_MS, "ms"))


def memory_target(results: list[CorpusResult]) -> Target:
    """The most resident memory sampled under load on any server that
    serves reads (warm cache, cache full), on every corpus."""
    sampled = [(m.under_load_kb, f"{short(res)}, {m.role}") for res in results for m in res.memory
               if m.under_load_kb and (m.role == "warm cache" or m.role.startswith("cache full"))]
    what = "resident memory under load, every read server"
    if not sampled:
        return Target(what, f"< {MEMORY_MB:g} MB", "—", unjudged("not measured"))
    kb, where = max(sampled)
    mb = kb / 1024
    return Target(what, f"< {MEMORY_MB:g} MB", f"{mb:.1f} MB at most ({where})", below(mb, MEMORY_MB, "MB"))


def pathological_targets(p: Pathological | None) -> list[Target]:
    if p is None:
        return []
    size = f"{JUDGED_SIZE // KIB} KiB"
    timed = [(t.ms[JUDGED_SIZE], t.label) for t in p.timings if JUDGED_SIZE in t.ms]
    grown = [(t.growth, t.label) for t in p.timings if t.growth]
    if p.error or len(timed) < len(p.timings) or not timed:
        why = unjudged(f"failed: {p.error}" if p.error else "not measured")
        return [Target(f"pathological Markdown at {size}", f"< {JUDGED_MS:g} ms", "—", why)]
    slowest, label = max(timed)
    targets = [Target(f"pathological Markdown at {size}, slowest input", f"< {JUDGED_MS:g} ms",
                      f"{slowest:.0f} ms ({label})", below(slowest, JUDGED_MS, "ms"))]
    what, limit = "pathological Markdown, time from 256 KiB to 1 MiB", f"≤ {GROWTH_LIMIT:g}× (linear: 4×)"
    if not grown:
        return [*targets, Target(what, limit, "—", unjudged("every input was refused at 256 KiB or 1 MiB"))]
    growth, grown_label = max(grown)
    return [*targets, Target(what, limit, f"{growth:.1f}× ({grown_label})", below(growth, GROWTH_LIMIT + 1e-9, "×"))]


def evaluate(results: list[CorpusResult], import_runs: list[float], import_posts: int,
             cold: ColdStart | None, pathological: Pathological | None = None,
             flood: Flood | None = None) -> list[Target]:
    small, large, pg = results
    out = [
        ceiling_target(results, "index", "index (REST)", 0.8),
        ceiling_target(results, "article", "article", 0.8),
        ceiling_target(results, "feed", "/feed.json", 0.8),
        ceiling_target(results, "index_br", "index (REST), compressed", 0.8),
        ceiling_target(results, "article_br", "article, compressed", 0.8),
        ceiling_target(results, "feed_br", "/feed.json, compressed", 0.8),
        ceiling_target(results, "gql_post", "GraphQL index (POST)", 0.6),
        ceiling_target(results, "gql_get", "GraphQL index (GET, persisted)", 0.6),
        *database_targets(small, large, pg),
        write_target(results),
    ]
    if import_runs:
        median = statistics.median(import_runs)
        out.append(Target(f"import {import_posts:,} posts (SQLite)", f"< {IMPORT_S:g} s", f"{median:.2f} s",
                          below(median, IMPORT_S, "s")))
    out.append(search_target(large))
    out.append(memory_target(results))
    if cold:
        out.append(Target(f"cold start to the first 200, SQLite {cold.posts:,}", f"< {COLD_START_MS:g} ms",
                          f"{cold.median_ms:.0f} ms", below(cold.median_ms, COLD_START_MS, "ms")))
    out += pathological_targets(pathological)
    if flood:
        p99 = flood.flooded.p99_ms
        out.append(Target("public reads during a login flood: p99 (one client, cache warm)",
                          f"< {P99_TARGET_MS:g} ms", f"{p99:.2f} ms", below(p99, P99_TARGET_MS, "ms")))
    return out
