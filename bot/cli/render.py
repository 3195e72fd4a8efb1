"""Replies (``bot.present``) as plain terminal text: the console's ``/x`` and ``beatwatch x``.

No Discord markup: headings are ``== Title``, quotes are “…”, a topic's hit is «…», links are ``text <url>``, ids are
shown (``feed 12``, ``article 345``) so they can be typed in the next command, times are full
local times.
"""

from __future__ import annotations

from bot.present import reply as present
from bot.present.dates import stamp
from bot.present.text import visible


def span(s: present.Span) -> str:
    if isinstance(s, str):
        return visible(s)
    if isinstance(s, present.Strong | present.Code | present.Ident):
        return visible(s.text)
    if isinstance(s, present.Hit):
        return f"«{visible(s.text)}»"
    if isinstance(s, present.Quote):
        return f"“{visible(s.text)}”"
    if isinstance(s, present.Link):
        label = visible(s.text)
        if s.url and s.url != s.text:
            return f"{label} <{s.url}>" if label else f"<{s.url}>"
        return label or (s.url or "")
    if isinstance(s, present.Moment):
        return stamp(s.at, "UTC")
    if isinstance(s, present.ChannelRef):
        return f"channel {s.id}"
    return f"role {s.id}"


def text(line: present.Line) -> str:
    return "".join(span(s) for s in line)


def section_text(section: present.Section) -> list[str]:
    out: list[str] = []
    if section.title:
        out.append(f"== {visible(section.title)}" + (f" <{section.url}>" if section.url else ""))
    if section.lines:
        out.append(section.gap.join(text(line) for line in section.lines))
    for f in section.fields:
        out.append(f"-- {visible(f.name)}")
        out.extend(text(line) for line in f.lines)
    if section.footer:
        out.append(f"({visible(section.footer)})")
    return out


def as_text(reply: present.Reply) -> str:
    """The whole reply; every line whole (a terminal has no length limits)."""
    out = [text(line) for line in reply.text]
    for section in reply.sections:
        out.extend(section_text(section))
    return "\n".join(out)
