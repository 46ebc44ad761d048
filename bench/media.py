#!/usr/bin/env python3
"""`make bench`, media part (issue 17): a 200 KB image served by Longform
from its media store next to nginx serving the same file (sendfile on, its
best), and the time an upload's renditions of a 24-megapixel JPEG take.
Rewrites the block between the media markers in BENCHMARKS.md's notes.

Alone: `python3 bench/media.py` (it builds the release binary first).
"""

import json
import os
import random
import secrets
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True

from harness import build, config  # noqa: E402
from harness.ceiling import Ceiling, Static, nginx_binary  # noqa: E402
from harness.load import Load, Request, drive_in_turn  # noqa: E402
from harness.procs import Reaper, Server, fetch, server_env  # noqa: E402
from harness.shell import Fail, ensure_tool, fatal, log, run  # noqa: E402
from harness.writes import create_admin, login  # noqa: E402

BEGIN = "<!-- media: written by bench/media.py -->"
END = "<!-- /media -->"
PASSWORD = "bench media password " + secrets.token_hex(8)
TARGET = 0.8  # of nginx's requests per second, for a 200 KB image
RUNS = 5


def noise_png(side: int, seed: int = 17) -> bytes:
    """A PNG of noise `side` pixels square: incompressible, so its size is
    about 3 bytes a pixel (260 pixels: 200 KB)."""
    rng = random.Random(seed)
    rows = b"".join(b"\x00" + rng.randbytes(side * 3) for _ in range(side))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def upload(base_url: str, token: str, name: str, data: bytes) -> dict:
    boundary = "bench-" + secrets.token_hex(8)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    answer = fetch(f"{base_url}/api/v1/admin/media", "POST", headers, body, 120)
    if answer.status != 201:
        raise Fail(f"the upload answered {answer.status}: {answer.body[:200]!r}")
    return json.loads(answer.body)["media"]


def serving(settings: config.Settings, binary: Path, reaper: Reaper, work: Path) -> list[str]:
    wrk = ensure_tool("wrk", "wrk")
    env = server_env(f"sqlite://{work / 'media.db'}", settings.server_log, secrets.token_urlsafe(48), True,
                     settings.workers)
    env["LONGFORM_MEDIA_STORE"] = str(work / "media")
    create_admin(binary, env, PASSWORD)
    server = Server(binary, env, work, settings.cache_dir / "logs" / "server-media.log", reaper)
    try:
        image = noise_png(260)
        item = upload(server.url, login(server.url, PASSWORD), "noise.png", image)
        path = item["url"][item["url"].index("/media/"):]
        served = fetch(server.url + path)
        if served.status != 200 or served.body != image:
            raise Fail(f"{path} did not serve the uploaded bytes ({served.status})")
        ceiling = Ceiling(nginx_binary(), settings.workers, [Static("image", image, "image/png")], reaper)
        try:
            request = Request("GET", server.url + path, (("Accept-Encoding", config.BROWSER_ENCODING),))
            fetch(ceiling.url + "/c/image")  # warm-up
            # One small file swings more from run to run than a page: five runs, the median.
            load = Load(wrk, settings.threads, settings.connections, settings.duration_s, max(settings.runs, RUNS))
            ours, nginx = drive_in_turn(load, [(request, server.pid), (request.to(ceiling.url, "/c/image"), None)])
        finally:
            ceiling.stop()
    finally:
        server.stop()
    ratio = ours.rps / nginx.rps if nginx.rps else 0
    verdict = "met" if ratio >= TARGET else "missed"
    log(f"  image {len(image) // 1024} KB: {ours.rps:,.0f} req/s (p50 {ours.p50_ms:.2f} ms), "
        f"nginx {nginx.rps:,.0f} req/s: {ratio:.0%} ({verdict})")
    return [
        "| What | Longform | nginx, same file | Share | Target |",
        "|---|---|---|---|---|",
        f"| `GET /media/{{id}}/noise.png`, {len(image) // 1024} KB PNG, {settings.connections} connections "
        f"| {ours.rps:,.0f} req/s, p50 {ours.p50_ms:.2f} ms, p99 {ours.p99_ms:.2f} ms "
        f"| {nginx.rps:,.0f} req/s, p50 {nginx.p50_ms:.2f} ms | {ratio:.0%} | ≥ {TARGET:.0%}: {verdict} |",
        "",
        f"nginx sends the file with sendfile (its best); Longform holds files of up to 512 KB in memory "
        f"(8 MB in all) and remembers what an address serves for 10 s, so a hot image costs no statement and "
        f"no read. Resident memory of the server under that load: {ours.rss_under_load_kb / 1024:.0f} MB. "
        f"Commit {commit()}, {settings.threads} wrk thread(s), {settings.workers} server worker(s), "
        f"median of {max(settings.runs, RUNS)} runs of {settings.duration_s} s, each server in turn.",
    ]


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=config.REPO, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def renditions(settings: config.Settings) -> list[str]:
    log("renditions of a 24-megapixel JPEG (cargo run --release --example renditions)")
    done = run([settings.cargo, "run", "--quiet", "--release", "--locked", "-p", "longform-domain", "--example",
                "renditions"], "the renditions example", 1800, cwd=config.REPO)
    line = done.stdout.strip().splitlines()[-1]
    log(f"  {line}")
    return [f"An upload's renditions (4 widths in WebP and JPEG, target 2 s): {line}."]


def rewrite(report: Path, lines: list[str]) -> None:
    text = report.read_text() if report.exists() else ""
    block = "\n".join([BEGIN, "", "### Media", "", *lines, "", END])
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    report.write_text(text)


def main() -> int:
    settings = config.load()
    reaper = Reaper()
    try:
        binary = build.build(settings)
        (settings.cache_dir / "logs").mkdir(parents=True, exist_ok=True)
        log("=== media: a 200 KB image, Longform and nginx ===")
        with tempfile.TemporaryDirectory(prefix="longform-bench-media-") as scratch:
            lines = serving(settings, binary, reaper, Path(scratch))
            reaper.stop_all()
        lines += ["", *renditions(settings)]
    except Fail as e:
        reaper.stop_all()
        fatal(str(e))
        return 1
    rewrite(settings.out, lines)
    log(f"wrote the media block of {settings.out}")
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
