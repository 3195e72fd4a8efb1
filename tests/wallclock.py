"""Run pytest with the wall clock at a chosen time of day (UTC), through libfaketime.

    python tests/wallclock.py 23:45 tests/test_scheduling.py tests/digest   # as CI's 2nd pass

The clock starts at HH:MM UTC today and runs on from there: one relative offset
(``FAKETIME=+N``) shared by pytest and every process it starts, so they agree on the time.
The monotonic clock stays real (``FAKETIME_DONT_FAKE_MONOTONIC=1``): asyncio, timeouts and
discord.py's heartbeat measure real durations. ``wallclock_site/sitecustomize.py`` works around
libfaketime's broken ``time.sleep`` on Python >= 3.11.

Before pytest runs, a child process must see the new time (``date -u`` and Python's clock) and
be able to sleep; otherwise this exits 2 instead of passing on the real clock.
libfaketime comes from Debian's ``faketime`` package (.ci/run installs it when missing), or
the path in ``BEATWATCH_LIBFAKETIME``.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(__file__).resolve().parent / "wallclock_site"
LIBRARY_GLOBS = (
    "/usr/lib/*/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
    "/usr/local/lib/faketime/libfaketime.so.1",
)
PROBE = (
    "import time; from datetime import UTC, datetime; time.sleep(0.01); "
    "print(int(datetime.now(UTC).timestamp()))"
)


def find_library() -> str | None:
    explicit = os.environ.get("BEATWATCH_LIBFAKETIME")
    if explicit:
        return explicit if Path(explicit).exists() else None
    found = [p for pattern in LIBRARY_GLOBS for p in sorted(glob.glob(pattern))]
    return found[0] if found else None


def target_epoch(hhmm: str, now: float) -> int:
    """HH:MM UTC on today's date (UTC), as a Unix time."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    today = datetime.fromtimestamp(now, UTC)
    return int(today.replace(hour=hour, minute=minute, second=0, microsecond=0).timestamp())


def faked_env(library: str, offset: int, target: int) -> dict[str, str]:
    env = dict(os.environ)
    env["LD_PRELOAD"] = " ".join(p for p in (library, env.get("LD_PRELOAD", "")) if p)
    env["FAKETIME"] = f"{offset:+d}"
    env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SITE), env.get("PYTHONPATH", "")) if p)
    env["WALLCLOCK_TARGET"] = str(target)  # tests/test_wall_clock.py checks the clock it sees
    return env


def check_clock(env: dict[str, str], target: int) -> str | None:
    """None when a child process sees the faked time and can sleep; else what is wrong."""
    seen = {}
    for name, cmd in (
        ("date -u", ["date", "-u", "+%s"]),
        ("python", [sys.executable, "-c", PROBE]),
    ):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            return f"{name} failed under libfaketime: {done.stderr.strip()[-500:]}"
        seen[name] = int(done.stdout.strip())
    wrong = {name: t for name, t in seen.items() if not 0 <= t - target < 300}
    if wrong:
        shown = ", ".join(
            f"{n} saw {datetime.fromtimestamp(t, UTC):%H:%M:%S}" for n, t in wrong.items()
        )
        return f"the wall clock was not moved: {shown}"
    return None


def main(argv: list[str]) -> int:
    if not argv or ":" not in argv[0]:
        sys.stderr.write(__doc__ or "")
        return 2
    hhmm, pytest_args = argv[0], argv[1:]
    library = find_library()
    if library is None:
        sys.stderr.write(
            "wallclock: libfaketime not found (apt-get install faketime, "
            "or set BEATWATCH_LIBFAKETIME)\n"
        )
        return 2
    now = time.time()
    target = target_epoch(hhmm, now)
    env = faked_env(library, target - int(now), target)
    problem = check_clock(env, target)
    if problem:
        sys.stderr.write(f"wallclock: {problem}\n")
        return 2
    shown = subprocess.run(["date", "-u"], env=env, capture_output=True, text=True).stdout
    print(f"=== wall clock for this pass: {shown.strip()} (libfaketime {library})", flush=True)
    return subprocess.run(
        [sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT, env=env
    ).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
