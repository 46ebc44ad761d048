"""Public reads during a login flood (issue 15): one client reads the index
(from the response cache) while wrk sends wrong passwords for one account,
each from a new client address, as fast as the server answers. Without a
bound on password hashing the flood took every core and 1.2 GB; with it,
readers keep their latency. Judged: the readers' p99 under 5 ms.
"""

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from . import writes
from .config import REPO
from .load import Load, LoadResult, Request, drive
from .procs import Reaper, Server, fetch, spawn, terminate
from .shell import Fail, log

FLOOD_SCRIPT = REPO / "bench" / "wrk" / "login-flood.lua"
FLOOD_CONNECTIONS = 64
P99_TARGET_MS = 5.0


@dataclass
class Flood:
    quiet: LoadResult  # the reader alone
    flooded: LoadResult  # the reader during the flood
    logins: dict[str, int]  # login answers by status class during the flood
    peak_kb: int


def _login_answers(base_url: str) -> dict[str, int]:
    text = fetch(f"{base_url}/metrics").body.decode()
    found = re.findall(r'longform_http_requests_total\{route="/api/v1/auth/login",status="(\w+)"\} (\d+)', text)
    return {status: int(count) for status, count in found}


def measure(binary: Path, env: dict, workdir: Path, logs: Path, reaper: Reaper, wrk: str, seconds: int,
            password: str) -> Flood:
    """`env` names a database with posts; the server trusts loopback as a proxy."""
    writes.create_admin(binary, env, password)
    server = Server(binary, {**env, "LONGFORM_TRUSTED_PROXIES": "127.0.0.1"}, workdir, logs / "server-flood.log",
                    reaper)
    try:
        index = Request("GET", f"{server.url}/api/v1/posts?limit=20", (("Accept", "application/json"),))
        if fetch(index.url).status != 200:
            raise Fail("the index did not answer 200 before the flood")
        reader = Load(wrk, 1, 1, seconds, 1)
        quiet = drive(reader, index, server.pid)
        before = _login_answers(server.url)
        cmd = [wrk, "-t1", f"-c{FLOOD_CONNECTIONS}", f"-d{seconds + 4}s", "--timeout=30s", "-s", str(FLOOD_SCRIPT),
               f"{server.url}/api/v1/auth/login"]
        flood = spawn(cmd, env={**os.environ, "BENCH_EMAIL": writes.ADMIN_EMAIL}, stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL)
        try:
            # Let the flood fill the hashing queue before the reader starts.
            time.sleep(2)
            flooded = drive(reader, index, server.pid)
        finally:
            terminate(flood)
        after = _login_answers(server.url)
        logins = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        memory = server.memory()
        result = Flood(quiet, flooded, logins, memory.hwm_kb if memory else 0)
        log(f"  reader p99 {quiet.p99_ms:.2f} ms alone, {flooded.p99_ms:.2f} ms during the flood; logins "
            + ", ".join(f"{v} {k}" for k, v in sorted(logins.items())) + f"; peak {result.peak_kb / 1024:.0f} MB")
        return result
    finally:
        server.stop()
