"""After the suite, no process it started is left running (pytest hooks, used by conftest.py).

At session start a fresh token goes into the environment (``BW_TEST_RUN``), so every process
the suite starts carries it, also when it outlives its parent (a ``kill -9``'d app's parse pool
is re-parented to PID 1). At session finish, every live process that carries the token or
descends from pytest is a leftover, except pytest's own multiprocessing helpers (its
forkserver and resource tracker end with it). Leftovers get a few seconds to exit; those still
there are listed, killed, and fail the run. Linux only (reads /proc); elsewhere it does nothing.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from pathlib import Path

import pytest

ENV_KEY = "BW_TEST_RUN"  # not BEATWATCH_: the reliability harness drops those from the app's env
GRACE_SECONDS = float(os.environ.get("BW_TEST_LEFTOVER_GRACE", "10"))  # time to exit on their own
_OWN_HELPERS = ("multiprocessing.forkserver", "multiprocessing.resource_tracker")
_PROC = Path("/proc")


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, ppid) of a process, None when it is gone."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def _read(pid: int, name: str) -> bytes:
    try:
        return (_PROC / str(pid) / name).read_bytes()
    except OSError:
        return b""


def cmdline(pid: int) -> str:
    return _read(pid, "cmdline").replace(b"\0", b" ").decode(errors="replace").strip()


def process_group(pgid: int) -> dict[int, str]:
    """Live members of a process group: pid -> command line."""
    found = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, group = text[text.rindex(")") + 2 :].split()[:3]
        if int(group) == pgid and state not in ("Z", "X"):
            found[int(entry.name)] = cmdline(int(entry.name))
    return found


def leftovers(token: str, me: int) -> dict[int, str]:
    """Live processes (not ``me``) started by this run: pid -> command line."""
    procs: dict[int, tuple[str, int]] = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            procs[int(entry.name)] = found
    mark = f"{ENV_KEY}={token}".encode()

    def descends_from_me(pid: int) -> bool:
        seen = set()
        while pid in procs and pid not in seen and pid > 1:
            seen.add(pid)
            pid = procs[pid][1]
            if pid == me:
                return True
        return False

    found = {}
    for pid, (state, ppid) in procs.items():
        if pid == me or state in ("Z", "X"):
            continue
        if mark not in _read(pid, "environ").split(b"\0") and not descends_from_me(pid):
            continue
        line = cmdline(pid)
        if ppid == me and any(helper in line for helper in _OWN_HELPERS):
            continue  # pytest's own forkserver / resource tracker: they end with pytest
        found[pid] = line
    return found


def pytest_sessionstart(session: pytest.Session) -> None:
    if _PROC.is_dir():
        os.environ[ENV_KEY] = f"{os.getpid()}-{secrets.token_hex(6)}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    token = os.environ.get(ENV_KEY, "")
    if not token.startswith(f"{os.getpid()}-"):
        return
    deadline = time.monotonic() + GRACE_SECONDS
    while (left := leftovers(token, os.getpid())) and time.monotonic() < deadline:
        time.sleep(0.2)
    if not left:
        return
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    lines = [f"  pid {pid}: {line[:200]}" for pid, line in sorted(left.items())]
    message = (
        f"{len(left)} process(es) started by the test run were still running "
        f"{GRACE_SECONDS:.0f}s after it ended (now killed):\n" + "\n".join(lines)
    )
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.section("processes left behind", red=True)
        reporter.write_line(message)
    else:
        sys.stderr.write(message + "\n")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
