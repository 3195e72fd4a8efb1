"""Every check CI runs, in one command: lint, format, types, import contracts, tests.

python tests/check.py            # all of it
python tests/check.py -k ask     # extra arguments go to pytest
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(name: str, cmd: list[str]) -> bool:
    print(f"\n=== {name}: {' '.join(cmd)}", flush=True)
    ok = subprocess.run(cmd, cwd=ROOT).returncode == 0
    print(f"=== {name}: {'ok' if ok else 'FAILED'}", flush=True)
    return ok


def main() -> int:
    py = sys.executable
    steps = [
        ("lint", [py, "-m", "ruff", "check", "."]),
        ("format", [py, "-m", "ruff", "format", "--check", "."]),
        ("types", [py, "-m", "mypy"]),
        ("imports", [str(BIN / "lint-imports")]),
        ("tests", [py, "-m", "pytest", *sys.argv[1:]]),
    ]
    failed = [name for name, cmd in steps if not run(name, cmd)]
    print("\nall checks passed" if not failed else f"\nFAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
