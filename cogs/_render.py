"""The only module that knows Discord's limits, and turns domain values into embeds.

Limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits):
content 2000; embed title 256, description 4096, 25 fields (name 256, value 1024), footer 2048,
author 256, 6000 characters over all embeds of a message; 10 embeds per message;
autocomplete 25 choices of 1-100 characters.

Every function returns values (``Reply``, ``discord.Embed``); nothing here sends anything.
Feed text is made inert (no mention can fire from it) before it goes into a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

CONTENT = 2000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000
EMBEDS_PER_MESSAGE = 10
CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100

ELLIPSIS = "…"

COLOUR_ALERT = discord.Colour.from_rgb(0xC0, 0x39, 0x2B)
COLOUR_INFO = discord.Colour.from_rgb(0x2E, 0x86, 0xC1)
COLOUR_OK = discord.Colour.from_rgb(0x27, 0xAE, 0x60)
COLOUR_WARN = discord.Colour.from_rgb(0xE6, 0x7E, 0x22)
COLOUR_MUTED = discord.Colour.from_rgb(0x7F, 0x8C, 0x8D)

_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")


def inert(text: str) -> str:
    """Break anything that could ping or link a channel (a zero-width space after the @/<)."""
    return _MENTION.sub(lambda m: m.group(0)[0] + "\u200b" + m.group(0)[1:], text)


def clip(text: str, limit: int) -> str:
    text = text or ""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + ELLIPSIS


def lines_within(lines: Iterable[str], limit: int, *, more: str = "…and {n} more") -> str:
    """Join whole lines up to ``limit`` characters; say how many were left out."""
    items = [line for line in lines if line]
    full = "\n".join(items)
    if len(full) <= limit:
        return full
    reserve = len(more.format(n=len(items))) + 1
    out: list[str] = []
    used = 0
    for line in items:
        cost = len(line) + (1 if out else 0)
        if used + cost + reserve > limit:
            break
        out.append(line)
        used += cost
    if not out:
        out = [clip(items[0], limit - reserve)]
    out.append(more.format(n=len(items) - len(out)))
    return "\n".join(out)


def embed_size(embed: discord.Embed) -> int:
    return len(embed)


def fit(embed: discord.Embed) -> discord.Embed:
    """Make one embed respect every per-field limit and the 6000-character total."""
    if embed.title:
        embed.title = clip(embed.title, TITLE)
    if embed.description:
        embed.description = clip(embed.description, DESCRIPTION)
    if embed.footer and embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, FOOTER), icon_url=embed.footer.icon_url)
    if embed.author and embed.author.name:
        embed.set_author(name=clip(embed.author.name, AUTHOR), url=embed.author.url)
    fields = [
        (clip(f.name or "-", FIELD_NAME), clip(f.value or "-", FIELD_VALUE), f.inline)
        for f in embed.fields
    ]
    dropped = max(0, len(fields) - FIELDS)
    fields = fields[: FIELDS - (1 if dropped else 0)] if dropped else fields
    embed.clear_fields()
    for name, value, inline in fields:
        embed.add_field(name=name, value=value, inline=inline)
    while len(embed) > EMBED_TOTAL and len(embed.fields) > 0:
        embed.remove_field(len(embed.fields) - 1)
        dropped += 1
    if dropped:
        embed.set_footer(
            text=clip(f"{dropped} more not shown. " + (embed.footer.text or ""), FOOTER)
        )
    over = len(embed) - EMBED_TOTAL
    if over > 0 and embed.description:
        allowed = max(1, len(embed.description) - over)
        embed.description = lines_within(embed.description.split("\n"), allowed)
    over = len(embed) - EMBED_TOTAL
    if over > 0 and embed.footer and embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, max(1, len(embed.footer.text) - over)))
    return embed


def fit_message(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Split embeds into messages of at most 10 embeds and 6000 characters."""
    messages: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in embeds:
        fit(embed)
        n = len(embed)
        if current and (size + n > EMBED_TOTAL or len(current) == EMBEDS_PER_MESSAGE):
            messages.append(current)
            current, size = [], 0
        current.append(embed)
        size += n
    if current:
        messages.append(current)
    return messages


def choices(pairs: Iterable[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices: at most 25, names 1-100 characters, values at most 100."""
    out = []
    for name, value in pairs:
        name = clip(name.strip() or value, CHOICE_NAME)
        if not name or len(value) > CHOICE_VALUE:
            continue
        out.append(app_commands.Choice(name=name, value=value))
        if len(out) == CHOICES:
            break
    return out


def when(dt: datetime | None, tz: str | None = None, *, style: str = "f") -> str:
    """A timestamp Discord shows in each reader's own timezone, plus a UTC/local text fallback."""
    if dt is None:
        return "never"
    local = dt.astimezone(ZoneInfo(tz)) if tz else dt
    return f"<t:{int(dt.timestamp())}:{style}>" if style else local.strftime("%Y-%m-%d %H:%M %Z")


def day(dt: datetime, tz: str | None = None) -> str:
    local = dt.astimezone(ZoneInfo(tz)) if tz else dt
    return local.strftime("%d %b %Y")


def link(text: str, url: str | None) -> str:
    text = inert(text).replace("[", "(").replace("]", ")")
    if url and url.startswith(("http://", "https://")):
        return f"[{text}]({url})"
    return text


@dataclass
class Reply:
    """What a command answers: text and/or embeds, an optional view, public or private."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    ephemeral: bool = False
    view: discord.ui.View | None = None

    def send_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "allowed_mentions": discord.AllowedMentions.none(),
            "ephemeral": self.ephemeral,
        }
        if self.content:
            kwargs["content"] = clip(self.content, CONTENT)
        if self.embeds:
            kwargs["embeds"] = fit_message(self.embeds)[0]
        if self.view is not None:
            kwargs["view"] = self.view
        return kwargs

    def overflow(self) -> list[list[discord.Embed]]:
        """Embeds that did not fit the first message (sent as followups)."""
        return fit_message(self.embeds)[1:] if self.embeds else []


def text_reply(text: str, *, ephemeral: bool = True) -> Reply:
    return Reply(content=clip(text, CONTENT), ephemeral=ephemeral)


def embed(
    title: str,
    description: str = "",
    *,
    url: str | None = None,
    colour: discord.Colour = COLOUR_INFO,
    fields: Iterable[tuple[str, str]] = (),
    footer: str = "",
    inline: bool = False,
) -> discord.Embed:
    e = discord.Embed(
        title=clip(inert(title), TITLE),
        description=clip(description, DESCRIPTION) or None,
        url=url if url and url.startswith(("http://", "https://")) else None,
        colour=colour,
    )
    for name, value in fields:
        e.add_field(
            name=clip(name or "-", FIELD_NAME), value=clip(value or "-", FIELD_VALUE), inline=inline
        )
    if footer:
        e.set_footer(text=clip(footer, FOOTER))
    return fit(e)


def as_text(reply: Reply) -> str:
    """Plain-text form of a reply, for console mode."""
    out: list[str] = []
    if reply.content:
        out.append(reply.content)
    for e in reply.embeds:
        if e.title:
            out.append(f"== {e.title}" + (f" <{e.url}>" if e.url else ""))
        if e.description:
            out.append(e.description)
        for f in e.fields:
            out.append(f"-- {f.name}\n{f.value}")
        if e.footer and e.footer.text:
            out.append(f"({e.footer.text})")
    text = "\n".join(out)
    text = re.sub(
        r"<t:(\d+):\w>",
        lambda m: (
            datetime.fromtimestamp(int(m.group(1))).astimezone().strftime("%Y-%m-%d %H:%M %Z")
        ),
        text,
    )
    return text.replace("\u200b", "")


# --- alerts, notices and digests (OutgoingMessage from the alerts outbox) -------------------
_KIND_COLOUR = {
    "alert": COLOUR_ALERT,
    "combined": COLOUR_ALERT,
    "notice": COLOUR_WARN,
    "digest": COLOUR_INFO,
}

ACTION_TEXT = {
    "verified": "✅ Verified by {name}",
    "muted_story": "🔕 Story muted by {name}",
    "muted_source": "🔇 {publisher} muted for {topic} by {name}",
}


def desk_lines(marks: Mapping[Any, Any], *, topic: str = "", publisher: str = "") -> list[str]:
    """What editors did with an alert, one line per action (marks: action -> ActionMark)."""
    out = []
    for action in ("verified", "muted_story", "muted_source"):
        mark = marks.get(action)
        if mark is None:
            continue
        text = ACTION_TEXT[action].format(
            name=inert(mark.user_name or str(mark.user_id)),
            publisher=inert(publisher) or "this outlet",
            topic=inert(topic) or "this topic",
        )
        out.append(f"{text} · {when(mark.at, style='R')}")
    return out


def ref_mark(dedupe_key: str) -> str:
    """What ends the footer of a posted message: its outbox dedupe key, so a send whose outcome
    was lost can be found among the channel's messages (Discord does not keep the nonce)."""
    return f"ref {dedupe_key}"


def carries_ref(footer: str | None, dedupe_key: str) -> bool:
    mark = ref_mark(dedupe_key)
    return bool(footer) and (footer == mark or str(footer).endswith(" · " + mark))


def outgoing_embed(msg: Any, desk: Sequence[str] = (), ref: str | None = None) -> discord.Embed:
    """One OutgoingMessage (alerts' Discord-free message) as an embed within every limit;
    ``ref`` (a dedupe key) ends the footer, whatever else is cut."""
    e = discord.Embed(
        title=clip(msg.title, TITLE) if msg.title else None,
        url=msg.url if msg.url and str(msg.url).startswith(("http://", "https://")) else None,
        description=lines_within(msg.lines, DESCRIPTION) or None,
        colour=_KIND_COLOUR.get(msg.kind, COLOUR_INFO),
    )
    for f in msg.fields[: FIELDS - 1]:
        e.add_field(
            name=clip(f.name or "-", FIELD_NAME),
            value=clip(f.value or "-", FIELD_VALUE),
            inline=True,
        )
    if desk:
        e.add_field(name="Desk", value=lines_within(desk, FIELD_VALUE), inline=False)
    if msg.footer:
        e.set_footer(text=clip(msg.footer, FOOTER))
    fit(e)
    if ref:
        mark, text = ref_mark(ref), e.footer.text or ""
        e.set_footer(text=f"{clip(text, FOOTER - len(mark) - 3)} · {mark}" if text else mark)
        fit(e)  # the description gives way if the mark takes the embed over the total
    return e


def outgoing_content(msg: Any) -> str | None:
    """The only text that may ping: the topic's configured role on an alert."""
    if msg.ping_role_id and msg.kind in ("alert", "combined"):
        return f"<@&{int(msg.ping_role_id)}>"
    return None


def outgoing_mentions(msg: Any) -> discord.AllowedMentions:
    if outgoing_content(msg):
        return discord.AllowedMentions(
            everyone=False,
            users=False,
            roles=[discord.Object(id=int(msg.ping_role_id))],
            replied_user=False,
        )
    return discord.AllowedMentions.none()


def with_desk(embed_in: discord.Embed, desk: Sequence[str]) -> discord.Embed:
    """A copy of a posted alert's embed with its Desk field replaced."""
    e = embed_in.copy()
    kept = [(f.name, f.value, f.inline) for f in e.fields if f.name != "Desk"]
    e.clear_fields()
    for name, value, inline in kept:
        e.add_field(name=name or "-", value=value or "-", inline=inline)
    if desk:
        e.add_field(name="Desk", value=lines_within(desk, FIELD_VALUE), inline=False)
    return fit(e)


def line_embeds(
    title: str, lines: Sequence[str], *, colour: discord.Colour = COLOUR_INFO
) -> list[discord.Embed]:
    """Long text as whole lines over as many embeds as needed (first one titled)."""
    chunks: list[list[str]] = [[]]
    size = 0
    for line in lines:
        line = clip(line, DESCRIPTION)
        if chunks[-1] and size + len(line) + 1 > DESCRIPTION:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line) + 1
    embeds = []
    for i, chunk in enumerate(chunks):
        heading = title if i == 0 else f"{title} (cont. {i + 1}/{len(chunks)})"
        embeds.append(embed(heading, "\n".join(chunk), colour=colour))
    return embeds
