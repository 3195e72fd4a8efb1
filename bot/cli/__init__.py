"""The command-line shell. One module per command group; each has ``register(subparsers)``.

A handler is ``async def handler(settings, args) -> int`` (the exit code). The CLI is the only
place in ``bot/`` that prints.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def fail(message: str) -> int:
    sys.stderr.write(f"beatwatch: {message}\n")
    return 2
