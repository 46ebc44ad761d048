"""A throwaway PostgreSQL cluster, as crates/persistence/src/testing.rs
(PgCluster) starts one for the tests: a temp directory, initdb, pg_ctl, the
`postgres` user when we are root (the server refuses root), 127.0.0.1 only.

Unlike the tests' cluster this one keeps PostgreSQL's durability defaults
(fsync, synchronous_commit, full_page_writes): the write and import figures
should be what a real deployment pays. A detached watchdog stops the cluster
and removes its directory if the harness dies without cleaning up.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from .procs import Reaper, free_port
from .shell import Fail, apt_install, is_root, log, run

START_ATTEMPTS = 3  # another process may take the free port we picked
PG_TIMEOUT_S = 120


def find_bin_dir() -> Path:
    """initdb and pg_ctl: from PATH first, else the newest /usr/lib/postgresql/*/bin."""

    def has_tools(d: Path) -> bool:
        return all((d / t).is_file() for t in ("initdb", "pg_ctl", "createdb"))

    for entry in os.environ.get("PATH", "").split(os.pathsep):
        d = Path(entry)
        # PATH may hold symlinks to one tool only (/usr/local/bin/initdb): follow them.
        if (d / "initdb").is_file() and has_tools((d / "initdb").resolve().parent):
            return (d / "initdb").resolve().parent
    versions = []
    for bin_dir in glob.glob("/usr/lib/postgresql/*/bin"):
        version = Path(bin_dir).parent.name
        if has_tools(Path(bin_dir)) and all(p.isdigit() for p in version.split(".")):
            versions.append((tuple(int(p) for p in version.split(".")), Path(bin_dir)))
    if not versions:
        raise FileNotFoundError
    return max(versions)[1]


def ensure_bin_dir() -> Path:
    try:
        return find_bin_dir()
    except FileNotFoundError:
        apt_install(["postgresql"])
    try:
        return find_bin_dir()
    except FileNotFoundError:
        raise Fail("no initdb and pg_ctl even after installing postgresql") from None


class PgCluster:
    def __init__(self, reaper: Reaper):
        self.bin = ensure_bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="longform-bench-pg-"))
        self.port = 0
        self._reaper = reaper
        reaper.add("the PostgreSQL cluster", self.stop)
        self._hand_to_server_user()
        self._spawn_watchdog()
        log(f"PostgreSQL: initdb in {self.dir} ({self.bin})")
        run(self._as_server_user("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                                 "--no-sync", "-E", "UTF8", "--locale=C"), "initdb", PG_TIMEOUT_S, cwd=self.dir)
        self._start()

    @property
    def data(self) -> Path:
        return self.dir / "data"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        run(self._as_server_user("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name),
            f"createdb {name}", PG_TIMEOUT_S, cwd=self.dir)
        return self.url(name)

    def _start(self) -> None:
        reason = ""
        for _ in range(START_ATTEMPTS):
            self.port = free_port()
            options = f"-p {self.port} -h 127.0.0.1 -k '{self.dir}' -c max_connections=200"
            try:
                run(self._as_server_user("pg_ctl", "-D", str(self.data), "-o", options,
                                         "-l", str(self.dir / "log"), "-w", "start"),
                    "pg_ctl start", PG_TIMEOUT_S, cwd=self.dir)
                log(f"PostgreSQL: listening on 127.0.0.1:{self.port}")
                return
            except Fail as e:
                reason = str(e)
        raise Fail(f"PostgreSQL did not start: {reason}")

    def stop(self) -> None:
        self._reaper.discard(self.stop)
        if (self.data / "postmaster.pid").exists():
            subprocess.run(self._as_server_user("pg_ctl", "-D", str(self.data), "-w", "stop", "-m", "fast"),
                           cwd="/", capture_output=True, timeout=PG_TIMEOUT_S)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _as_server_user(self, tool: str, *args: str) -> list[str]:
        cmd = [str(self.bin / tool), *args]
        return ["runuser", "-u", "postgres", "--", *cmd] if is_root() else cmd

    def _hand_to_server_user(self) -> None:
        """Mode 0700 and owned by `postgres`: the server insists on owning its directories."""
        self.dir.chmod(0o700)
        if is_root():
            run(["chown", "postgres:postgres", str(self.dir)], "chown postgres", 30)

    def _spawn_watchdog(self) -> None:
        """Own process group, so it outlives us: once we are gone, stop and remove the cluster."""
        stop = 'runuser -u postgres -- "$2"' if is_root() else '"$2"'
        script = (
            'while kill -0 "$1" 2>/dev/null && [ -d "$3" ]; do sleep 1; done\n'
            '[ -d "$3" ] || exit 0\n'
            f'{stop} -D "$3/data" -w stop -m immediate\n'
            'rm -rf "$3"'
        )
        watchdog = subprocess.Popen(
            ["sh", "-c", script, "longform-bench-pg-watchdog", str(os.getpid()), str(self.bin / "pg_ctl"),
             str(self.dir)],
            cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Reap it when it leaves (after stop() removed the directory): no zombie.
        threading.Thread(target=watchdog.wait, daemon=True).start()
