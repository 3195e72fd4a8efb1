"""Where messages go: the Transport protocol, its errors, the console and recording transports.

Contract
- ``send(msg) -> ref`` posts a new message and returns the transport's reference to it (a
  string the same transport accepts in ``edit``). Raising means "not confirmed".
- ``edit(ref, msg)`` replaces the content of a message posted earlier.
- ``TransientDeliveryError(retry_after, maybe_sent=...)``: try again later (Discord 429 / 5xx,
  network). ``maybe_sent`` (the default) when the message may have been posted all the same (a
  lost answer: timeout, reset connection, 5xx); False when it certainly was not (429).
- ``PermanentDeliveryError``: retrying cannot help (missing channel, missing permission,
  deleted message); recorded on the outbox row and surfaced, not retried.
- Idempotency: ``msg.dedupe_key`` is stable across retries and restarts. A transport that can
  must not post twice for the same key (Discord: ``nonce=dedupe_key`` with
  ``enforce_nonce=True``; the recording transport: a key -> ref map). With such a transport
  the outbox is exactly-once; with one that cannot (the console) a crash between the send and
  the outbox update means the message is shown again on restart: at-least-once.
- ``find_sent(msg) -> ref | None`` (optional): the message already posted with
  ``msg.dedupe_key``, for a send whose outcome is unknown. Discord forgets a nonce after a few
  minutes, so before re-sending such a message the outbox asks the transport to look for it
  (Discord: the channel's recent messages, whose embed footer carries the key).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.errors import BeatwatchError
from bot.models import OutgoingMessage


class DeliveryError(BeatwatchError):
    """A transport could not deliver a message."""


class TransientDeliveryError(DeliveryError):
    """Try again later; ``retry_after`` (seconds) when the other side said how long."""

    def __init__(
        self,
        message: str = "temporary delivery failure",
        retry_after: float | None = None,
        *,
        maybe_sent: bool = True,
    ):
        super().__init__(message)
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help (missing channel or permission, deleted message)."""


class Transport(Protocol):
    async def send(self, msg: OutgoingMessage) -> str: ...

    async def edit(self, ref: str, msg: OutgoingMessage) -> None: ...


class ConsoleTransport:
    """Writes messages as text through an injected writer (the CLI passes one; domain never prints).

    Not idempotent: it cannot know whether it showed a message before a crash, so a resend after
    a crash between "shown" and "marked" shows it again (at-least-once).
    """

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._count = 0

    async def send(self, msg: OutgoingMessage) -> str:
        self._count += 1
        ref = f"console:{msg.dedupe_key}"
        ping = f"@role:{msg.ping_role_id} " if msg.ping_role_id else ""
        self._write(f"--- [{msg.kind} · guild {msg.guild_id}] {ping}\n{msg.as_text()}\n")
        return ref

    async def edit(self, ref: str, msg: OutgoingMessage) -> None:
        self._write(f"--- [update of {ref}]\n{msg.as_text()}\n")

    async def find_sent(self, msg: OutgoingMessage) -> str | None:
        return None  # a terminal cannot be searched: at-least-once


@dataclass
class Posted:
    ref: str
    msg: OutgoingMessage
    edits: list[OutgoingMessage] = field(default_factory=list)

    @property
    def current(self) -> OutgoingMessage:
        return self.edits[-1] if self.edits else self.msg


class RecordingTransport:
    """Keeps every message; dedupes sends by ``dedupe_key`` like Discord's enforced nonce.

    Tests can make the next calls fail: ``fail_next(exc, times)``. ``path`` (optional) makes the
    record survive the process (JSON lines), for the crash test.
    """

    def __init__(self, path: Path | None = None, *, idempotent: bool = True) -> None:
        self.posted: list[Posted] = []
        self.by_key: dict[str, str] = {}
        self.idempotent = idempotent
        self.calls = 0
        self.lookups = 0
        self._failures: list[tuple[BaseException, int | None, str | None]] = []
        self._path = path
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                item = json.loads(line)
                msg = OutgoingMessage.model_validate(item["msg"])
                if item["op"] == "send":
                    self.posted.append(Posted(item["ref"], msg))
                    self.by_key[msg.dedupe_key] = item["ref"]
                else:
                    self._find(item["ref"]).edits.append(msg)

    def fail_next(
        self,
        exc: BaseException,
        times: int = 1,
        *,
        guild_id: int | None = None,
        kind: str | None = None,
    ) -> None:
        """The next ``times`` calls (for that server's / kind's messages, if given) raise ``exc``."""
        self._failures.extend([(exc, guild_id, kind)] * times)

    def _maybe_fail(self, msg: OutgoingMessage) -> None:
        self.calls += 1
        for i, (exc, guild_id, kind) in enumerate(self._failures):
            if guild_id in (None, msg.guild_id) and kind in (None, msg.kind):
                del self._failures[i]
                raise exc

    def _log(self, op: str, ref: str, msg: OutgoingMessage) -> None:
        if self._path is not None:
            with self._path.open("a", encoding="utf-8") as fh:
                line = {"op": op, "ref": ref, "msg": msg.model_dump(mode="json")}
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
                fh.flush()

    def _find(self, ref: str) -> Posted:
        for posted in self.posted:
            if posted.ref == ref:
                return posted
        raise PermanentDeliveryError(f"unknown message {ref}")

    async def send(self, msg: OutgoingMessage) -> str:
        self._maybe_fail(msg)
        if self.idempotent and msg.dedupe_key in self.by_key:
            return self.by_key[msg.dedupe_key]
        ref = f"m{len(self.posted) + 1}"
        self.posted.append(Posted(ref, msg))
        self.by_key[msg.dedupe_key] = ref
        self._log("send", ref, msg)
        return ref

    async def edit(self, ref: str, msg: OutgoingMessage) -> None:
        self._maybe_fail(msg)
        self._find(ref).edits.append(msg)
        self._log("edit", ref, msg)

    async def find_sent(self, msg: OutgoingMessage) -> str | None:
        """Like looking through the channel: the message posted with this key, if any."""
        self.lookups += 1
        return self.by_key.get(msg.dedupe_key) if self.idempotent else None

    def messages(self, kind: str | None = None) -> list[OutgoingMessage]:
        """The current content of every posted message (after its edits)."""
        return [p.current for p in self.posted if kind is None or p.msg.kind == kind]


class RoutingTransport:
    """Sends each message through the transport for its server, or the default one.

    The Discord shell uses it to send guild 0 (the console newsroom) to the log/console.
    """

    def __init__(self, default: Transport, by_guild: dict[int, Transport] | None = None) -> None:
        self._default = default
        self._by_guild = dict(by_guild or {})

    def _pick(self, msg: OutgoingMessage) -> Transport:
        return self._by_guild.get(msg.guild_id, self._default)

    async def send(self, msg: OutgoingMessage) -> str:
        return await self._pick(msg).send(msg)

    async def edit(self, ref: str, msg: OutgoingMessage) -> None:
        await self._pick(msg).edit(ref, msg)

    async def find_sent(self, msg: OutgoingMessage) -> str | None:
        find = getattr(self._pick(msg), "find_sent", None)
        return None if find is None else await find(msg)
