"""Creating and publishing a 6,000-word post through the editor API, timed
as an editor sees it: create (201, a draft) then publish (200, with the
draft's version in If-Match), one after the other on one keep-alive
connection.

Not wrk: the figure wanted is the time of the pair, and wrk can only time
single requests (its Lua has no clock to time two). One client in a loop
is also the realistic load: editors publish one post at a time.
"""

import http.client
import json
import secrets
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .procs import fetch
from .shell import Fail, run

WORDS = 6_000
SCAN_FILES = 400  # corpus files looked at for the body closest to 6,000 words
ADMIN_EMAIL = "bench-admin@example.com"
MAX_PAIRS_PER_RUN = 2_000


@dataclass
class WriteRun:
    pair_ms: list[float] = field(default_factory=list)  # create plus publish, each as the client waited
    create_ms: list[float] = field(default_factory=list)
    publish_ms: list[float] = field(default_factory=list)

    @property
    def pairs(self) -> int:
        return len(self.pair_ms)


@dataclass
class WriteResult:
    words: int  # as the server counted them
    runs: list[WriteRun]
    error: str = ""  # an unexpected status, when one came

    @property
    def pairs(self) -> int:
        return sum(r.pairs for r in self.runs)

    def median_of(self, pick, q: int) -> float:
        """The median over runs of percentile q (50, 95, 99) of one series, like wrk's figures."""
        per_run = [percentile(pick(r), q) for r in self.runs if pick(r)]
        return statistics.median(per_run) if per_run else 0.0


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def body_markdown(corpus: Path) -> str:
    """A corpus body (front matter cut) whose word count is closest to 6,000."""
    best: tuple[int, str] | None = None
    for path in sorted(corpus.glob("*.md"))[:SCAN_FILES]:
        body = path.read_text().split("\n---\n", 1)[-1]
        distance = abs(len(body.split()) - WORDS)
        if best is None or distance < best[0]:
            best = (distance, body)
    if best is None:
        raise Fail(f"no Markdown in {corpus}")
    return best[1]


def create_admin(binary: Path, env: dict, password: str) -> None:
    run([str(binary), "user", "create", "--email", ADMIN_EMAIL, "--name", "Bench Admin", "--role", "admin",
         "--password-stdin"], "longform user create", 60, env=env, input=password + "\n")


def login(base_url: str, password: str) -> str:
    answer = fetch(f"{base_url}/api/v1/auth/login", "POST", {"Content-Type": "application/json"},
                   json.dumps({"email": ADMIN_EMAIL, "password": password}).encode())
    if answer.status != 200:
        raise Fail(f"login answered {answer.status}: {answer.body[:200]!r}")
    return json.loads(answer.body)["access_token"]


def _send(conn: http.client.HTTPConnection, method: str, path: str, headers: dict,
          body: bytes = b"") -> tuple[int, dict, bytes]:
    conn.request(method, path, body=body, headers=headers)
    answer = conn.getresponse()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()


def _one_run(conn: http.client.HTTPConnection, token: str, markdown: str, seconds: float) -> tuple[WriteRun, int, str]:
    """Pairs for `seconds`: the run, the last word count, and an error if any."""
    auth = {"Authorization": f"Bearer {token}"}
    tag = secrets.token_hex(4)
    result, words = WriteRun(), 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and result.pairs < MAX_PAIRS_PER_RUN:
        n = result.pairs
        body = json.dumps({"title": f"Bench Write {tag} {n}", "slug": f"bench-write-{tag}-{n}", "markdown": markdown,
                           "category": "blog", "tags": ["memory-models"], "authors": ["jane-doe"]}).encode()
        started = time.perf_counter()
        status, headers, raw = _send(conn, "POST", "/api/v1/admin/posts",
                                     {**auth, "Content-Type": "application/json"}, body)
        created = time.perf_counter()
        if status != 201:
            return result, words, f"create answered {status}: {raw[:200]!r}"
        post = json.loads(raw)["post"]
        # Timed from here: the client's JSON parsing above is not the server's time.
        publishing = time.perf_counter()
        status, _, raw = _send(conn, "POST", f"/api/v1/admin/posts/{post['id']}/publish",
                               {**auth, "If-Match": headers.get("etag", "")})
        done = time.perf_counter()
        if status != 200:
            return result, words, f"publish answered {status}: {raw[:200]!r}"
        words = post["word_count"]
        result.create_ms.append((created - started) * 1000)
        result.publish_ms.append((done - publishing) * 1000)
        result.pair_ms.append(result.create_ms[-1] + result.publish_ms[-1])
    return result, words, ""


def measure(base_url: str, token: str, markdown: str, runs: int, seconds: float) -> WriteResult:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    result = WriteResult(0, [])
    try:
        _one_run(conn, token, markdown, 0.5)  # warm-up: connections, statement caches
        for _ in range(runs):
            one, result.words, error = _one_run(conn, token, markdown, seconds)
            result.runs.append(one)
            if error:
                result.error = error
                break
    finally:
        conn.close()
    return result


class Autosave:
    """An editor autosaving a draft `per_s` times a second, on its own
    thread, while a load runs: each save is a content write, which moves
    the store's generation and so empties the response cache."""

    def __init__(self, base_url: str, password: str, per_s: float):
        parts = urlsplit(base_url)
        self._conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self._auth = {"Authorization": f"Bearer {login(base_url, password)}", "Content-Type": "application/json"}
        self._interval = 1 / per_s
        self._stop = threading.Event()
        self.saves, self.error = 0, ""
        status, headers, raw = _send(self._conn, "POST", "/api/v1/admin/posts", self._auth,
                                     json.dumps({"title": "Autosaved", "markdown": "First words."}).encode())
        if status != 201:
            raise Fail(f"creating the autosaved draft answered {status}: {raw[:200]!r}")
        self._path = f"/api/v1/admin/posts/{json.loads(raw)['post']['id']}"
        self._etag = headers.get("etag", "")
        self._thread = threading.Thread(target=self._run, name="autosave", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.wait(max(0.0, next_at - time.monotonic())):
            next_at += self._interval
            body = json.dumps({"markdown": f"Saved {self.saves + 1} times."}).encode()
            status, headers, raw = _send(self._conn, "PATCH", self._path, {**self._auth, "If-Match": self._etag},
                                         body)
            if status != 200:
                self.error = f"an autosave answered {status}: {raw[:200]!r}"
                return
            self._etag = headers.get("etag", "")
            self.saves += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self._conn.close()
