"""The Discord ``Transport`` for the alerts outbox: posts and edits alerts, notices and digests.

- Rendering goes through ``bot.discord.render`` (the one module that knows Discord's limits).
- ``allowed_mentions`` is none, except the topic's configured role on an alert.
- Every send carries ``nonce`` = a short hash of ``OutgoingMessage.dedupe_key`` with
  ``enforce_nonce`` (discord.py sets it with the nonce): a resend after a lost answer returns
  the message already posted instead of posting a duplicate. Discord enforces a nonce only for a
  few minutes and does not keep it on the message, so every posted embed's footer also ends with
  ``ref <dedupe_key>``: :meth:`DiscordTransport.find_sent` looks for it among the channel's
  ``HISTORY_LOOKBACK`` most recent messages before a send whose outcome is unknown is repeated.
- discord.py retries 429s (when ``retry_after`` is short) and 5xx itself; what still fails is
  mapped to the outbox's errors: 429/5xx/network -> ``TransientDeliveryError``; missing
  permission (403), unknown channel/message (404), a rejected body (400) ->
  ``PermanentDeliveryError``.

A message reference is ``"<channel_id>:<message_id>"``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

import aiohttp
import discord

from bot.alerts.transport import PermanentDeliveryError, TransientDeliveryError
from bot.models import OutgoingMessage
from bot.storage import alert_actions

log = logging.getLogger(__name__)

NONCE_LENGTH = 25  # Discord's limit for a string nonce
HISTORY_LOOKBACK = 100  # messages looked through for an earlier post (one request)


def nonce_for(dedupe_key: str) -> str:
    return hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:NONCE_LENGTH]


def make_ref(channel_id: int, message_id: int) -> str:
    return f"{channel_id}:{message_id}"


def parse_ref(ref: str) -> tuple[int, int]:
    try:
        channel, _, message = ref.partition(":")
        return int(channel), int(message)
    except ValueError as exc:
        raise PermanentDeliveryError(f"not a Discord message reference: {ref!r}") from exc


class DiscordTransport:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def _render(self, msg: OutgoingMessage, *, post: bool = False) -> dict[str, Any]:
        from bot.discord import render
        from bot.discord.views import alert_view, desk_view

        marks: dict[alert_actions.Action, alert_actions.ActionMark] = {}
        desk: list[str] = []
        if msg.alert_id is not None and msg.kind == "alert":
            services: Any = getattr(self._client, "services", None)
            if services is not None:
                marks = await alert_actions.marks(services.db.reader, msg.alert_id)
                if marks:
                    subject = await alert_actions.alert_subject(services.db.reader, msg.alert_id)
                    desk = render.desk_lines(
                        marks,
                        topic=subject.topic if subject else "",
                        publisher=subject.publisher if subject else "",
                    )
        kwargs: dict[str, Any] = {
            "content": render.outgoing_content(msg),
            "embeds": [render.outgoing_embed(msg, desk, msg.dedupe_key if post else None)],
            "allowed_mentions": render.outgoing_mentions(msg),
        }
        if msg.alert_id is not None and msg.kind == "alert":
            kwargs["view"] = alert_view(msg.alert_id, marks)
        elif msg.kind == "combined" and msg.stories:
            kwargs["view"] = desk_view(msg.outbox_id, msg.stories)
        return kwargs

    def _channel(self, msg: OutgoingMessage, channel_id: int) -> discord.PartialMessageable:
        return self._client.get_partial_messageable(
            channel_id, guild_id=msg.guild_id or None, type=discord.ChannelType.text
        )

    async def send(self, msg: OutgoingMessage) -> str:
        if msg.channel_id is None:
            raise PermanentDeliveryError("no channel set for this server (use /alerts channel)")
        kwargs = await self._render(msg, post=True)
        channel = self._channel(msg, msg.channel_id)
        try:
            message = await channel.send(nonce=nonce_for(msg.dedupe_key), **kwargs)
        except Exception as exc:  # boundary: every failure is mapped for the outbox
            raise _mapped(exc, "send", msg) from exc
        log.info(
            "event=discord_sent kind=%s guild=%s channel=%s message=%s key=%s",
            msg.kind,
            msg.guild_id,
            msg.channel_id,
            message.id,
            msg.dedupe_key,
        )
        return make_ref(msg.channel_id, message.id)

    async def find_sent(self, msg: OutgoingMessage) -> str | None:
        """The message this bot already posted for ``msg.dedupe_key`` in the channel, if any."""
        from bot.discord import render

        if msg.channel_id is None:
            return None
        me = self._client.user.id if self._client.user else None
        channel = self._channel(msg, msg.channel_id)
        try:
            async for message in channel.history(limit=HISTORY_LOOKBACK):
                if me is not None and message.author.id != me:
                    continue
                if any(render.carries_ref(e.footer.text, msg.dedupe_key) for e in message.embeds):
                    return make_ref(msg.channel_id, message.id)
        except discord.Forbidden:
            # Without "Read Message History" the bot cannot look: the send goes ahead
            # (its nonce still dedupes within Discord's window).
            log.warning(
                "event=discord_history_forbidden guild=%s channel=%s", msg.guild_id, msg.channel_id
            )
            return None
        except Exception as exc:  # boundary: mapped for the outbox
            raise _mapped(exc, "look through", msg) from exc
        return None

    async def edit(self, ref: str, msg: OutgoingMessage) -> None:
        channel_id, message_id = parse_ref(ref)
        kwargs = await self._render(msg)
        partial = self._channel(msg, channel_id).get_partial_message(message_id)
        try:
            await partial.edit(**kwargs)
        except Exception as exc:  # boundary
            raise _mapped(exc, "edit", msg) from exc
        log.info(
            "event=discord_edited kind=%s guild=%s channel=%s message=%s",
            msg.kind,
            msg.guild_id,
            channel_id,
            message_id,
        )


def _mapped(exc: Exception, op: str, msg: OutgoingMessage) -> Exception:
    where = f"{op} {msg.kind} to channel {msg.channel_id}"
    if isinstance(exc, discord.RateLimited):  # refused before posting: certainly not sent
        return TransientDeliveryError(
            f"{where}: rate limited", retry_after=exc.retry_after, maybe_sent=False
        )
    if isinstance(exc, discord.Forbidden):
        return PermanentDeliveryError(f"{where}: missing permission ({exc.text or exc.status})")
    if isinstance(exc, discord.NotFound):
        return PermanentDeliveryError(f"{where}: channel or message not found ({exc.text})")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return TransientDeliveryError(f"{where}: Discord answered 429", maybe_sent=False)
        if exc.status >= 500:  # the answer may be lost, not the message
            return TransientDeliveryError(f"{where}: Discord answered {exc.status}")
        return PermanentDeliveryError(f"{where}: Discord refused it ({exc.status} {exc.text})")
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return TransientDeliveryError(f"{where}: {type(exc).__name__}: {exc}")
    log.error("event=discord_delivery_bug op=%s kind=%s", op, msg.kind, exc_info=exc)
    return PermanentDeliveryError(f"{where}: {type(exc).__name__}: {exc}")
