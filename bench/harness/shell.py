"""Running commands with a deadline, printing progress, installing what a
fresh Debian machine lacks."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

# Where Debian keeps the switch that stops package scripts starting daemons.
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
APT_TIMEOUT_S = 900


class Fail(Exception):
    """A run that cannot go on; its message is the one line printed."""


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[bench {stamp}] {message}", flush=True)


def one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit] + "…"


def last_line(path: Path) -> str:
    """The last non-empty line of a log file, for an error message."""
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "(no log)"
    return one_line(lines[-1]) if lines else "(empty log)"


def run(cmd: list[str], what: str, timeout_s: float, **kwargs) -> subprocess.CompletedProcess:
    """Run to completion or fail with one line naming `what`."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, **kwargs)
    except subprocess.TimeoutExpired as e:
        raise Fail(f"{what} did not finish within {timeout_s:.0f} s") from e
    except OSError as e:
        raise Fail(f"{what}: cannot run {cmd[0]}: {e}") from e
    if done.returncode != 0:
        reason = done.stderr.strip() or done.stdout.strip() or f"exit {done.returncode}"
        raise Fail(f"{what} failed (exit {done.returncode}): {one_line(reason.splitlines()[-1])}")
    return done


def is_root() -> bool:
    return os.geteuid() == 0


def as_root(cmd: list[str]) -> list[str]:
    """`cmd` as root: as is when we are root, else through sudo if there is one."""
    if is_root():
        return cmd
    if shutil.which("sudo"):
        return ["sudo", "-n", *cmd]
    raise Fail(f"need root (or sudo) to run: {' '.join(cmd)}")


def apt_install(packages: list[str]) -> None:
    """Install Debian packages without starting their daemons: nginx or a
    PostgreSQL package would otherwise listen on every interface at once."""
    log(f"installing {', '.join(packages)} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    added_policy = not POLICY_RC_D.exists() and is_root()
    if added_policy:
        POLICY_RC_D.write_text("#!/bin/sh\n# Written by make bench for one apt-get run.\nexit 101\n")
        POLICY_RC_D.chmod(0o755)
    try:
        run(as_root(["apt-get", "update", "-qq"]), "apt-get update", APT_TIMEOUT_S, env=env)
        cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
        run(as_root(cmd), f"apt-get install {' '.join(packages)}", APT_TIMEOUT_S, env=env)
    finally:
        if added_policy:
            POLICY_RC_D.unlink(missing_ok=True)


def ensure_tool(binary: str, package: str, also: tuple[str, ...] = ()) -> str:
    """The path of `binary` (looked for on PATH and in `also`), installing
    `package` first when it is missing."""

    def find() -> str | None:
        found = shutil.which(binary)
        return found or next((p for p in also if os.access(p, os.X_OK)), None)

    path = find()
    if path is None:
        apt_install([package])
        path = find()
    if path is None:
        raise Fail(f"{binary} is still missing after installing {package}")
    return path


def fatal(message: str) -> None:
    print(f"make bench: FAILED: {message}", file=sys.stderr, flush=True)
