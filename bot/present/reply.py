"""The neutral reply value every command answers with, before any surface renders it.

A :class:`Reply` holds sections (a title, lines, fields, a footer and a tone), an optional plain
text, whether only the asker sees it, and buttons as plain specs. A line is a tuple of spans: a
plain string (untrusted text: the Discord renderer makes every one inert), or a marked span -
:class:`Strong`, :class:`Hit`, :class:`Link`, :class:`Quote`, :class:`Code`, :class:`Moment`, :class:`Ident`,
:class:`ChannelRef`, :class:`RoleRef`. Only a ``RoleRef``/``ChannelRef`` becomes a mention on
Discord; the terminal shows ids and links in full.

Nothing here knows a surface's limits: ``bot.discord.render`` fits these values into embeds,
``bot.cli.render`` prints them as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Tone = Literal["info", "ok", "warn", "alert", "muted"]
ButtonStyle = Literal["primary", "secondary", "success", "danger"]


@dataclass(frozen=True)
class Strong:
    text: str


@dataclass(frozen=True)
class Hit:
    """The words a topic matched in a snippet (bold on Discord, «like this» in a terminal)."""

    text: str


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None


@dataclass(frozen=True)
class Quote:
    """Quoted source text (a quote block on Discord, “…” in a terminal)."""

    text: str


@dataclass(frozen=True)
class Code:
    """Something to type, e.g. a command."""

    text: str


@dataclass(frozen=True)
class Moment:
    """A point in time; Discord shows it in each reader's timezone (relative or in full)."""

    at: datetime
    relative: bool = True


@dataclass(frozen=True)
class Ident:
    """An id to type in a command (``feed 12``, ``article 345``): shown in a terminal, left out
    on Discord, where autocomplete and buttons stand in for ids."""

    text: str


@dataclass(frozen=True)
class ChannelRef:
    id: int


@dataclass(frozen=True)
class RoleRef:
    id: int


Span = str | Strong | Hit | Link | Quote | Code | Moment | Ident | ChannelRef | RoleRef
Line = tuple[Span, ...]


def line(*spans: Span | None) -> Line:
    """A line from spans; ``None`` and empty strings are left out."""
    return tuple(s for s in spans if s is not None and s != "")


BLANK: Line = ("",)


@dataclass(frozen=True)
class Field:
    name: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Button:
    """A button as a plain spec; ``id`` is what the surface dispatches on (e.g. ``sources``)."""

    id: str
    label: str
    style: ButtonStyle = "secondary"
    disabled: bool = False


@dataclass(frozen=True)
class Section:
    """One block of a reply (an embed on Discord, a heading and its lines in a terminal).

    ``spill``: the lines may continue over more blocks ("(cont. 2/3)") instead of being cut
    with "…and N more". ``gap`` separates lines (a blank line between citation blocks)."""

    title: str = ""
    lines: tuple[Line, ...] = ()
    fields: tuple[Field, ...] = ()
    footer: str = ""
    url: str | None = None
    tone: Tone = "info"
    spill: bool = False
    gap: str = "\n"


@dataclass(frozen=True)
class Attachment:
    """A file that comes with a reply (an attachment on Discord; the CLI writes it)."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Reply:
    sections: tuple[Section, ...] = ()
    text: tuple[Line, ...] = ()
    ephemeral: bool = True
    buttons: tuple[Button, ...] = field(default=())
    files: tuple[Attachment, ...] = field(default=())


def say(*lines: Line | str, ephemeral: bool = True) -> Reply:
    """A reply of plain text lines (no section)."""
    return Reply(text=tuple((x,) if isinstance(x, str) else x for x in lines), ephemeral=ephemeral)


def marked(snippet: str) -> Line:
    """A matcher snippet with its hit marked ``**hit**`` as spans (the hit as :class:`Hit`)."""
    parts = (snippet or "").split("**")
    if len(parts) % 2 == 0:  # an unpaired marker: show the text as it is
        return (snippet,)
    return line(*(Hit(p) if i % 2 else p for i, p in enumerate(parts)))
