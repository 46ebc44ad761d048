"""The read scenarios: what a blog frontend asks for, as REST, GraphQL and
feeds, and how each answer is found, checked and captured first.

Field names and parameters follow openapi.yaml, schema/schema.graphql and
crates/api/src/graphql/apq.rs (Apollo's persisted-query protocol: register
the hash with the query once, then GET with the hash alone).
"""

import hashlib
import json
import time
from dataclasses import dataclass
from urllib.parse import quote

from .ceiling import Static
from .load import Request
from .procs import fetch
from .shell import Fail, log

ARTICLE_MINUTES = 26
CAPTURE_TIMEOUT_S = 300  # a database-path answer at 100,000 posts may take seconds, not minutes
ARTICLE_SEARCH_PAGES = 50  # of 100 cards: stop looking for a 26-minute post after 5,000
SEARCH_PATH = "/api/v1/search?q=memory%20model&limit=10"
# What a Ghost starter asks for its index: 15 posts with their HTML (Ghost's
# default format), tags and authors; and the same page's cards alone.
GHOST_POSTS = "/ghost/api/content/posts/"
GHOST_INDEX = "include=tags,authors&limit=15"
GHOST_CARDS = "fields=id,title,slug,custom_excerpt,published_at,reading_time,feature_image&include=tags&limit=15"
GHOST_MAX_DEPTH = 10_000  # page * limit, as crates/api/src/ghost/params.rs caps it
REST_ACCEPT = (("Accept", "application/json"),)
GRAPHQL_ACCEPT = (("Accept", "application/graphql-response+json, application/json"),)

# What a blog index card shows; the REST card's fields, in GraphQL.
INDEX_QUERY = (
    "query Index { posts(first: 20) { edges { cursor node { id slug title summary publishedAt "
    "readingTimeMinutes url featureImage { url alt } category { slug name } tags { slug name } "
    "authors { slug name avatarUrl } } } pageInfo { hasNextPage endCursor } totalCount } }"
)


@dataclass(frozen=True)
class Scenario:
    name: str  # a file-name-safe id, also the ceiling's path
    label: str
    request: Request
    ceiling_target: float | None = None  # the share of the ceiling's req/s aimed at
    optional: bool = False  # a 404 means "not available yet", not a failure


@dataclass(frozen=True)
class Captured:
    status: int
    content_type: str
    content_encoding: str
    body: bytes
    seconds: float  # how long the second (warm) answer took

    def static(self, name: str) -> Static:
        return Static(name, self.body, self.content_type, self.content_encoding)


def with_encoding(headers: tuple, accept_encoding: str) -> tuple:
    return headers + ((("Accept-Encoding", accept_encoding),) if accept_encoding else ())


def find_article(base_url: str) -> tuple[str, int]:
    """The slug and reading time of the post closest to 26 minutes, walking the index."""
    best: tuple[int, str, int] | None = None
    after = ""
    for _ in range(ARTICLE_SEARCH_PAGES):
        answer = fetch(f"{base_url}/api/v1/posts?limit=100{after}", headers=dict(REST_ACCEPT),
                       timeout_s=CAPTURE_TIMEOUT_S)
        if answer.status != 200:
            raise Fail(f"GET /api/v1/posts answered {answer.status} while looking for the article")
        page = json.loads(answer.body)
        for card in page["posts"]:
            distance = abs(card["reading_time_minutes"] - ARTICLE_MINUTES)
            if best is None or distance < best[0]:
                best = (distance, card["slug"], card["reading_time_minutes"])
        cursor = page["meta"]["pagination"]["next_cursor"]
        if (best and best[0] == 0) or not cursor:
            break
        after = f"&after={cursor}"
    if best is None:
        raise Fail("the index is empty: no article to read")
    return best[1], best[2]


@dataclass(frozen=True)
class Ghost:
    """A content key for the Ghost Content API, and the deepest page of
    15 cards it may ask for (its offset capped at GHOST_MAX_DEPTH)."""
    key: str
    deepest_page: int


def ghost_access(base_url: str, admin_token: str) -> Ghost:
    """Create a content key as an admin would, and find the last page."""
    answer = fetch(f"{base_url}/api/v1/admin/tokens", "POST",
                   {"Content-Type": "application/json", "Authorization": f"Bearer {admin_token}"},
                   json.dumps({"name": "bench Ghost frontend", "scope": "content"}).encode())
    if answer.status != 201:
        raise Fail(f"creating a content key answered {answer.status}: {answer.body[:200]!r}")
    key = json.loads(answer.body)["token"]["token"]
    first = fetch(f"{base_url}{GHOST_POSTS}?key={key}&{GHOST_CARDS}", timeout_s=CAPTURE_TIMEOUT_S)
    if first.status != 200:
        raise Fail(f"GET {GHOST_POSTS} answered {first.status}: {first.body[:200]!r}")
    pages = json.loads(first.body)["meta"]["pagination"]["pages"]
    return Ghost(key, max(1, min(pages, GHOST_MAX_DEPTH // 15)))


def ghost_deep(base_url: str, ghost: Ghost, accept_encoding: str) -> Scenario:
    """The last page of cards a Ghost client may reach: offset paging, the
    database path's worst case for a browse."""
    return Scenario("ghost_deep", f"Ghost posts browse, page {ghost.deepest_page} of 15 cards",
                    Request("GET", f"{base_url}{GHOST_POSTS}?key={ghost.key}&{GHOST_CARDS}&page={ghost.deepest_page}",
                            with_encoding(REST_ACCEPT, accept_encoding)))


def register_persisted_query(base_url: str, query: str) -> str:
    """Register `query` under its SHA-256 (a POST with both), return the hash."""
    digest = hashlib.sha256(query.encode()).hexdigest()
    body = {"query": query, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    answer = fetch(f"{base_url}/graphql", "POST", {"Content-Type": "application/json", **dict(GRAPHQL_ACCEPT)},
                   json.dumps(body).encode())
    if answer.status != 200 or b'"errors"' in answer.body:
        raise Fail(f"registering the persisted query failed ({answer.status}): {answer.body[:200]!r}")
    return digest


def encoded(items: list[Scenario], accept_encoding: str) -> list[Scenario]:
    """`items` as sent with a compressing `Accept-Encoding`: their own names
    (`index_br`) and labels, so that both runs sit in one table."""
    if not accept_encoding:
        return items
    return [Scenario(f"{sc.name}_br", f"{sc.label}, compressed", sc.request, sc.ceiling_target, sc.optional)
            for sc in items]


def read_scenarios(base_url: str, article_slug: str, apq_hash: str, ghost_key: str,
                   accept_encoding: str) -> list[Scenario]:
    rest = with_encoding(REST_ACCEPT, accept_encoding)
    graphql = with_encoding(GRAPHQL_ACCEPT, accept_encoding)
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": apq_hash}}, separators=(",", ":"))
    post_body = json.dumps({"query": INDEX_QUERY}).encode()
    return [
        Scenario("index", "index, 20 cards (REST)", Request("GET", f"{base_url}/api/v1/posts?limit=20", rest), 0.8),
        Scenario("gql_post", "index as GraphQL (POST)",
                 Request("POST", f"{base_url}/graphql", graphql + (("Content-Type", "application/json"),),
                         post_body), 0.6),
        Scenario("gql_get", "index as GraphQL (GET, persisted query)",
                 Request("GET", f"{base_url}/graphql?extensions={quote(extensions, safe='')}", graphql), 0.6),
        Scenario("article", f"article by slug ({article_slug})",
                 Request("GET", f"{base_url}/api/v1/posts/{article_slug}", rest), 0.8),
        Scenario("feed", "/feed.json", Request("GET", f"{base_url}/feed.json", with_encoding((), accept_encoding)),
                 0.8),
        Scenario("search", "search \"memory model\"", Request("GET", f"{base_url}{SEARCH_PATH}", rest),
                 None, optional=True),
        Scenario("ghost_index", "Ghost posts browse, 15 with HTML, tags and authors",
                 Request("GET", f"{base_url}{GHOST_POSTS}?key={ghost_key}&{GHOST_INDEX}", rest), 0.8),
        # No target: at 6 KB both sides are bound by per-request cost, not
        # bytes, and nginx's is the smaller (it sends this page about as fast
        # as a 2 KB one, while Longform serves it like the 16 KB index).
        Scenario("ghost_cards", "Ghost posts browse, 15 cards (fields, include=tags)",
                 Request("GET", f"{base_url}{GHOST_POSTS}?key={ghost_key}&{GHOST_CARDS}", rest)),
    ]


BEST_VARIANT_TIMEOUT_S = 30


def capture(request: Request) -> Captured:
    """The answer exactly as the load will get it, asked twice: the first
    fills the response cache (the warm-up), the second is what is served warm.
    A request that accepts brotli is asked again until brotli comes (the
    server makes it in the background and sends gzip meanwhile)."""
    answers, started = [], 0.0
    for _ in range(2):
        started = time.perf_counter()
        answers.append(fetch(request.url, request.method, dict(request.headers), request.body, CAPTURE_TIMEOUT_S))
    seconds = time.perf_counter() - started
    accepts = dict(request.headers).get("Accept-Encoding", "")
    deadline = time.monotonic() + BEST_VARIANT_TIMEOUT_S
    while ("br" in accepts and answers[-1].status == 200 and answers[-1].headers.get("content-encoding") != "br"
           and time.monotonic() < deadline):
        time.sleep(0.05)
        answers.append(fetch(request.url, request.method, dict(request.headers), request.body, CAPTURE_TIMEOUT_S))
    last = answers[-1]
    same_coding = answers[0].headers.get("content-encoding") == last.headers.get("content-encoding")
    if answers[0].status == last.status == 200 and same_coding and answers[0].body != last.body:
        log(f"  note: {request.url} answered different bytes on a repeat")
    return Captured(last.status, last.headers.get("content-type", "application/octet-stream"),
                    last.headers.get("content-encoding", ""), last.body, seconds)
