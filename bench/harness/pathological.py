"""Pathological Markdown (issue 15): bodies built to make a renderer or an
HTML parser do more than linear work, each sent as a new draft through the
editor API at growing sizes up to the largest body a post may have. The
time is the create request as the editor waits for it (render, sanitise,
store), on an empty SQLite database. A body over the markup budget
(crates/domain/src/markdown/budget.rs) is refused with 400 naming
`markdown`; the refusal is timed too, and such a size has no growth.

Targets: each input at 512 KiB under 200 ms, and time growing linearly (at
most 6 times the 256 KiB time for four times the bytes at 1 MiB; the square
of the size would make it 16).
"""

import http.client
import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import writes
from .procs import Reaper, Server
from .shell import Fail, log

KIB = 1024
MAX_MARKDOWN = 1024 * KIB  # crates/domain/src/post.rs: MAX_MARKDOWN_BYTES
SIZES = (128 * KIB, 256 * KIB, 512 * KIB, MAX_MARKDOWN)
JUDGED_SIZE = 512 * KIB
JUDGED_MS = 200.0
GROWTH_LIMIT = 6.0  # time(1 MiB) / time(256 KiB)


def _fill(piece: str, size: int, head: str = "", tail: str = "") -> str:
    """`head`, `piece` repeated, `tail`: at most `size` bytes."""
    room = size - len(head) - len(tail)
    return head + piece * max(0, room // len(piece)) + tail


def _numbered(make, size: int) -> str:
    parts, used, i = [], 0, 0
    while True:
        part = make(i)
        if used + len(part) > size:
            return "".join(parts)
        parts.append(part)
        used += len(part)
        i += 1


def _nested_emphasis(size: int) -> str:
    half = (size - 4) // 2
    return "*" * half + "deep" + "*" * half


def _table(size: int) -> str:
    columns = 500
    head = "|" + " h |" * columns + "\n" + "|" + "---|" * columns + "\n"
    return _fill("| x |\n", size, head)


def _backticks(size: int) -> str:
    return _numbered(lambda i: "`" * (i % 400 + 1) + " a ", size)


# What each input is after: the HTML parser's open elements, pulldown-cmark's
# delimiter and bracket stacks, containers, tables, and names looked up.
INPUTS = (
    ("raw `<div>`", lambda n: _fill("<div>", n)),
    ("raw `<blockquote>`", lambda n: _fill("<blockquote>", n)),
    ("`<span><div></span>`", lambda n: _fill("<span><div></span>", n)),
    ("formatting reopened (`<p><b id=N>x</p>`)", lambda n: _numbered(lambda i: f"<p><b id=\"{i}\">x</p>\n", n)),
    ("nested `>` quotes", lambda n: _fill(">", n, tail=" a")),
    ("nested `- ` lists", lambda n: _fill("- ", n, tail="a")),
    ("nested emphasis (`***...a...***`)", _nested_emphasis),
    ("`*a **a ` emphasis", lambda n: _fill("*a **a ", n)),
    ("unclosed links (`[a](`)", lambda n: _fill("[a](", n)),
    ("unclosed brackets (`[`)", lambda n: _fill("[", n)),
    ("backtick runs", _backticks),
    ("a 500-column table", _table),
    ("reference definitions", lambda n: _numbered(lambda i: f"[r{i}]: /u{i}\n", n)),
    ("footnotes", lambda n: _numbered(lambda i: f"x[^f{i}]\n\n[^f{i}]: note\n\n", n)),
    ("footnote references to one note", lambda n: _fill("[^a]", n, head="[^a]: note\n\n")),
    ("equal headings", lambda n: _fill("# a\n", n)),
    ("paragraphs (`a` and a blank line)", lambda n: _fill("a\n\n", n)),
    ("task list items", lambda n: _fill("- [ ] a\n", n)),
    ("autolinks", lambda n: _fill("<http://a>", n)),
    # Escaped characters: html5ever's serializer was quadratic in `&`.
    ("`&` runs", lambda n: _fill("&", n)),
    ("`<` runs", lambda n: _fill("<", n)),
    ("`&` in a link's URL", lambda n: _fill("&", n, head="[a](/", tail=")")),
)


@dataclass
class Timing:
    label: str
    ms: dict[int, float] = field(default_factory=dict)  # size -> median create time
    refused: set[int] = field(default_factory=set)  # sizes answered 400 (over the markup budget)

    @property
    def growth(self) -> float:
        """0 when either size was refused: a refusal's time is the budget check's."""
        small, large = self.ms.get(256 * KIB), self.ms.get(MAX_MARKDOWN)
        if not small or not large or self.refused & {256 * KIB, MAX_MARKDOWN}:
            return 0.0
        return large / small


@dataclass
class Pathological:
    runs: int
    timings: list[Timing]
    error: str = ""


def _create_ms(conn: http.client.HTTPConnection, token: str, markdown: str) -> tuple[float, bool]:
    """The time to answer, and whether the body was refused as over the markup budget."""
    body = json.dumps({"title": "Pathological", "markdown": markdown}).encode()
    started = time.perf_counter()
    conn.request("POST", "/api/v1/admin/posts", body=body,
                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    answer = conn.getresponse()
    raw = answer.read()
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status == 400 and json.loads(raw).get("field") == "markdown":
        return elapsed, True
    if answer.status != 201:
        raise Fail(f"a {len(markdown):,}-byte body answered {answer.status}: {raw[:200]!r}")
    return elapsed, False


def measure(binary: Path, env: dict, workdir: Path, logs: Path, reaper: Reaper, runs: int,
            password: str) -> Pathological:
    """`env` names an empty SQLite database the server may create."""
    writes.create_admin(binary, env, password)
    server = Server(binary, env, workdir, logs / "server-pathological.log", reaper)
    result = Pathological(runs, [])
    try:
        token = writes.login(server.url, password)
        host, port = server.url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        try:
            _create_ms(conn, token, "warm-up")
            for label, make in INPUTS:
                timing = Timing(label)
                for size in SIZES:
                    markdown = make(size)
                    answers = [_create_ms(conn, token, markdown) for _ in range(runs)]
                    timing.ms[size] = statistics.median(elapsed for elapsed, _ in answers)
                    if any(refused for _, refused in answers):
                        timing.refused.add(size)
                log(f"  {label}: " + ", ".join(
                    f"{s // KIB} KiB {t:.0f} ms{' refused' if s in timing.refused else ''}"
                    for s, t in timing.ms.items()) + f" (x{timing.growth:.1f} from 256 KiB to 1 MiB)")
                result.timings.append(timing)
        finally:
            conn.close()
    except Fail as e:
        result.error = str(e)
        log(f"  pathological Markdown: {e}")
    finally:
        server.stop()
    return result
