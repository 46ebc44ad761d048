"""Child processes that must not outlive the run (servers, nginx, the
PostgreSQL cluster), the longform server itself, and a small HTTP client.

Every child is registered with a `Reaper`; `run.py` calls `Reaper.stop_all`
from a finally block and from atexit, and children started here also get
SIGKILL from the kernel if the harness itself is killed (setpriv --pdeathsig).
"""

import http.client
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .shell import Fail, last_line

SERVER_START_TIMEOUT_S = 120  # a 100,000-post SQLite file opens and migrates in well under this
SERVER_STOP_TIMEOUT_S = 40  # longform drains in-flight requests for up to 30 s
LISTENING = re.compile(r"listening on (http://\S+)")


class Reaper:
    """Stops what was started, newest first, each at most once."""

    def __init__(self) -> None:
        self._stoppers: list[tuple[str, Callable[[], None]]] = []

    def add(self, name: str, stop: Callable[[], None]) -> None:
        self._stoppers.append((name, stop))

    def discard(self, stop: Callable[[], None]) -> None:
        self._stoppers = [(n, s) for n, s in self._stoppers if s != stop]

    def stop_all(self) -> None:
        while self._stoppers:
            name, stop = self._stoppers.pop()
            try:
                stop()
            except Exception as e:  # noqa: BLE001 - cleanup must go on with the next one
                print(f"[bench] warning: could not stop {name}: {e}", flush=True)


def spawn(cmd: list[str], guard: bool = True, **kwargs) -> subprocess.Popen:
    """Popen; with `guard`, the kernel kills the child should we die first
    (setpriv execs the command, so the child keeps its pid)."""
    if guard and shutil.which("setpriv"):
        cmd = ["setpriv", "--pdeathsig", "KILL", "--", *cmd]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, **kwargs)


def terminate(proc: subprocess.Popen, timeout_s: float = SERVER_STOP_TIMEOUT_S) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


def fetch(url: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None,
          timeout_s: float = 30) -> Response:
    """One request on a fresh connection; connection errors propagate."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout_s)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        data = answer.read()
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, data)
    finally:
        conn.close()


@dataclass
class Memory:
    rss_kb: int  # resident now
    hwm_kb: int  # the peak resident size so far


def memory_of(pid: int) -> Memory | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.M))
    return Memory(int(fields.get("VmRSS", 0)), int(fields.get("VmHWM", 0)))


class Server:
    """One `longform serve --no-demo` on 127.0.0.1, port chosen by the kernel."""

    def __init__(self, binary: Path, env: dict[str, str], workdir: Path, log: Path, reaper: Reaper):
        self.log = log
        self._reaper = reaper
        cmd = [str(binary), "serve", "--no-demo", "--bind", "127.0.0.1:0"]
        with open(log, "ab") as err:
            self.proc = spawn(cmd, env=env, cwd=workdir, stdout=subprocess.PIPE, stderr=err)
        reaper.add(f"longform (pid {self.proc.pid})", self.stop)
        self.url = self._wait_listening()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _wait_listening(self) -> str:
        """The URL from the "listening on" line (what scripts read, per the README)."""
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        assert self.proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not sel.select(timeout=0.5):
                    if self.proc.poll() is not None:
                        break
                    continue
                line = self.proc.stdout.readline().decode(errors="replace")
                if not line:
                    break
                if match := LISTENING.search(line):
                    return match.group(1)
        self.stop()
        raise Fail(f"the server did not start: {last_line(self.log)}")

    def memory(self) -> Memory | None:
        return memory_of(self.proc.pid)

    def stop(self) -> None:
        self._reaper.discard(self.stop)
        terminate(self.proc)
        if self.proc.stdout:
            self.proc.stdout.close()


def server_env(database_url: str, log_level: str, jwt_secret: str, response_cache: bool = True,
               workers: int | None = None) -> dict[str, str]:
    """A clean environment: no LONGFORM_* of the caller's leaks into a run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LONGFORM_")}
    env.update(
        LONGFORM_DATABASE_URL=database_url,
        LONGFORM_LOG=log_level,
        LONGFORM_JWT_SECRET=jwt_secret,
        LONGFORM_RESPONSE_CACHE="true" if response_cache else "false",
        LONGFORM_ENV="development",
    )
    if workers:
        env["LONGFORM_WORKERS"] = str(workers)
    return env
