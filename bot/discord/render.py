"""The only module that knows Discord's limits: replies (``bot.present``) and outgoing alerts,
notices and digests (``OutgoingMessage``) as embeds.

Limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits):
content 2000; embed title 256, description 4096, 25 fields (name 256, value 1024), footer 2048,
author 256, 6000 characters over all embeds of a message; 10 embeds per message;
autocomplete 25 choices of 1-100 characters.

Every function returns values (``DiscordReply``, ``discord.Embed``); nothing here sends anything.
Every plain string of a reply is made inert (no mention can fire from it); only a ``RoleRef`` or
``ChannelRef`` span becomes a mention, and replies are sent with no allowed mentions anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.present import reply as present
from bot.present.text import chunks, clip, inert, pack

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

COLOUR_ALERT = discord.Colour.from_rgb(0xC0, 0x39, 0x2B)
COLOUR_INFO = discord.Colour.from_rgb(0x2E, 0x86, 0xC1)
COLOUR_OK = discord.Colour.from_rgb(0x27, 0xAE, 0x60)
COLOUR_WARN = discord.Colour.from_rgb(0xE6, 0x7E, 0x22)
COLOUR_MUTED = discord.Colour.from_rgb(0x7F, 0x8C, 0x8D)


def lines_within(lines: Iterable[str], limit: int) -> str:
    """Whole non-empty lines within ``limit`` characters, "…and N more" (``pack``)."""
    return pack([line for line in lines if line], limit)


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


def link(text: str, url: str | None) -> str:
    text = inert(text).replace("[", "(").replace("]", ")")
    if url and url.startswith(("http://", "https://")):
        return f"[{text}]({url})"
    return text


def span(s: present.Span) -> str:
    """One span as Discord markdown; plain text is made inert."""
    if isinstance(s, str):
        return inert(s)
    if isinstance(s, present.Strong | present.Hit):
        return f"**{inert(s.text)}**" if s.text.strip() else inert(s.text)
    if isinstance(s, present.Link):
        return link(s.text, s.url)
    if isinstance(s, present.Quote):
        return "> " + inert(s.text)
    if isinstance(s, present.Code):
        return "`" + inert(s.text).replace("`", "'") + "`"
    if isinstance(s, present.Moment):
        return f"<t:{int(s.at.timestamp())}:{'R' if s.relative else 'f'}>"
    if isinstance(s, present.Ident):
        return ""  # ids are for typing; Discord has autocomplete and buttons
    if isinstance(s, present.ChannelRef):
        return f"<#{int(s.id)}>"
    return f"<@&{int(s.id)}>"


def text(line: present.Line) -> str:
    return "".join(span(s) for s in line)


_TONE = {
    "info": COLOUR_INFO,
    "ok": COLOUR_OK,
    "warn": COLOUR_WARN,
    "alert": COLOUR_ALERT,
    "muted": COLOUR_MUTED,
}


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


def section_embeds(section: present.Section) -> list[discord.Embed]:
    """One section as one embed, or (``spill``) its lines over as many embeds as needed."""
    lines = [text(line) for line in section.lines]
    if section.spill and lines:
        parts = chunks(lines, DESCRIPTION, sep=section.gap)
    else:
        parts = [pack(lines, DESCRIPTION, sep=section.gap)]
    fields = [
        (inert(f.name), pack([text(x) for x in f.lines], FIELD_VALUE)) for f in section.fields
    ]
    colour = _TONE.get(section.tone, COLOUR_INFO)
    out = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        out.append(
            embed(
                section.title if i == 0 else f"{section.title} (cont. {i + 1}/{len(parts)})",
                part,
                url=section.url if i == 0 else None,
                colour=colour,
                fields=fields if last else (),
                footer=inert(section.footer) if last else "",
            )
        )
    return out


@dataclass
class DiscordReply:
    """A reply ready to send: text and/or embeds, public or private (the view is added by
    ``bot.discord.interaction.respond`` from the reply's button specs)."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    ephemeral: bool = False

    def send_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "allowed_mentions": discord.AllowedMentions.none(),
            "ephemeral": self.ephemeral,
        }
        if self.content:
            kwargs["content"] = clip(self.content, CONTENT)
        if self.embeds:
            kwargs["embeds"] = fit_message(self.embeds)[0]
        return kwargs

    def overflow(self) -> list[list[discord.Embed]]:
        """Embeds that did not fit the first message (sent as followups)."""
        return fit_message(self.embeds)[1:] if self.embeds else []


def to_discord(reply: present.Reply) -> DiscordReply:
    content = "\n".join(text(line) for line in reply.text)
    return DiscordReply(
        content=clip(content, CONTENT) or None,
        embeds=[e for s in reply.sections for e in section_embeds(s)],
        ephemeral=reply.ephemeral,
    )


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
