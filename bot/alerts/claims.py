"""Who is sending an outbox row: claim owners and when a claim no longer holds.

A deliverer (one ``OutboxDelivery``) claims a row in a committed transaction right before it
hands the message to the transport (``bot.storage.outbox.claim``) and the claim is dropped when
the outcome is recorded. Another deliverer leaves a claimed row alone while its holder may still
be sending it. A claim stops holding when it is older than ``CLAIM_TIMEOUT`` or when its holder
is known to be gone: a process of this host that no longer exists (``kill -9``), or an earlier
life of this process id (a container restarted as pid 1 again). A row whose claim is taken over
is in doubt: its holder may have posted it.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta

CLAIM_TIMEOUT = timedelta(minutes=2)

_HOST = socket.gethostname()
_LIVE: set[str] = set()  # claim owners made by this process


def new_owner() -> str:
    """A claim owner for one deliverer: ``host:pid:token``."""
    owner = f"{_HOST}:{os.getpid()}:{secrets.token_hex(4)}"
    _LIVE.add(owner)
    return owner


def _gone(holder: str) -> bool:
    """True when the holder is known not to be running any more."""
    parts = holder.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != _HOST or not parts[1].isdigit():
        return False  # another machine (or an unknown form): only the timeout tells
    pid = int(parts[1])
    if pid == os.getpid():
        return holder not in _LIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, but not ours to signal
        return False
    return False


def released(holder: str, claimed_at: datetime | None, now: datetime) -> bool:
    """Whether another deliverer may take over this claim."""
    if claimed_at is None or claimed_at + CLAIM_TIMEOUT <= now:
        return True
    return _gone(holder)
