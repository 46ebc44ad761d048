"""The ceiling: each scenario's exact response bytes served from memory by
nginx (Debian's package), on 127.0.0.1, with as many workers as the server
under test and no access log, so that a scenario's requests per second can be read as a share
of what this machine can do for the same bytes at all."""

import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .procs import Reaper, free_port, spawn, terminate
from .shell import Fail, ensure_tool, last_line

START_TIMEOUT_S = 15


@dataclass(frozen=True)
class Static:
    """One captured answer: served at /c/<name> with the same type and encoding."""

    name: str
    body: bytes
    content_type: str
    content_encoding: str = ""

    @property
    def path(self) -> str:
        return f"/c/{self.name}"


def nginx_binary() -> str:
    return ensure_tool("nginx", "nginx-light", also=("/usr/sbin/nginx",))


def _location(static: Static) -> str:
    encoding = f"add_header Content-Encoding {static.content_encoding};" if static.content_encoding else ""
    # A POST to a static file is a 405; turn it into the file itself, so the
    # GraphQL POST's ceiling also sends its body and gets the same bytes back.
    return (f'        location = {static.path} {{ default_type "{static.content_type}"; {encoding} '
            f"error_page 405 =200 $uri; }}\n")


def _config(root: Path, port: int, cores: int, statics: list[Static], sendfile: bool) -> str:
    temp_paths = "".join(f"    {kind}_temp_path {root}/tmp/{kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"worker_processes {cores};\n"
        "daemon off;\n"
        f"pid {root}/nginx.pid;\n"
        f"error_log {root}/error.log warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        "    access_log off;\n"
        f"    sendfile {'on' if sendfile else 'off'}; tcp_nopush on; tcp_nodelay on;\n"
        # wrk keeps its connections for the whole run: never close them on nginx's side.
        "    keepalive_timeout 300s; keepalive_requests 100000000;\n"
        "    open_file_cache max=256 inactive=1h; open_file_cache_valid 1h;\n"
        "    client_max_body_size 16m;\n"
        "    types {}\n"
        f"{temp_paths}"
        "    server {\n"
        f"        listen 127.0.0.1:{port};\n"
        f"        root {root}/www;\n"
        f"{''.join(_location(s) for s in statics)}"
        "    }\n"
        "}\n"
    )


class Ceiling:
    """nginx serving `statics` until stop(). With `sendfile` off, nginx reads
    each file into its buffers and writes them, copying the body from user
    space into the socket as Longform does: the reference for what that
    copy costs on bodies of tens of kilobytes."""

    def __init__(self, nginx: str, cores: int, statics: list[Static], reaper: Reaper, sendfile: bool = True):
        self._reaper = reaper
        self._tmp = tempfile.TemporaryDirectory(prefix="longform-bench-nginx-")
        root = Path(self._tmp.name)
        # nginx's workers drop root for `nobody`: they must be able to read the files.
        root.chmod(0o755)
        (root / "www" / "c").mkdir(parents=True)
        (root / "tmp").mkdir()
        for static in statics:
            (root / "www" / "c" / static.name).write_bytes(static.body)
        for path in root.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        self.port = free_port()
        (root / "nginx.conf").write_text(_config(root, self.port, cores, statics, sendfile))
        self._log = root / "error.log"
        self.proc = spawn([nginx, "-e", str(self._log), "-p", str(root), "-c", str(root / "nginx.conf")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        reaper.add("nginx", self.stop)
        self._wait_ready()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise Fail(f"nginx (the ceiling) did not start: {last_line(self._log)}")

    def stop(self) -> None:
        self._reaper.discard(self.stop)
        terminate(self.proc, timeout_s=10)
        self._tmp.cleanup()
