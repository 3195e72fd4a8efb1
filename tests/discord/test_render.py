"""bot/discord/render: whatever goes in, what comes out fits Discord's limits."""

from __future__ import annotations

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discord import render
from bot.present import reply as present
from bot.present.text import pack

text = st.text(min_size=0, max_size=5000)


def _within_limits(e: discord.Embed) -> None:
    assert len(e.title or "") <= render.TITLE
    assert len(e.description or "") <= render.DESCRIPTION
    assert len(e.fields) <= render.FIELDS
    for f in e.fields:
        assert len(f.name or "") <= render.FIELD_NAME and len(f.value or "") <= render.FIELD_VALUE
    assert len(e.footer.text or "") <= render.FOOTER
    assert len(e) <= render.EMBED_TOTAL


@settings(max_examples=60, deadline=None)
@given(
    title=text, description=text, footer=text, fields=st.lists(st.tuples(text, text), max_size=40)
)
def test_embed_always_fits(
    title: str, description: str, footer: str, fields: list[tuple[str, str]]
) -> None:
    _within_limits(render.embed(title, description, fields=fields, footer=footer))


@settings(max_examples=40, deadline=None)
@given(
    lines=st.lists(st.text(max_size=600), max_size=200),
    limit=st.integers(min_value=40, max_value=5000),
)
def test_lines_within_keeps_whole_lines_and_says_what_is_missing(
    lines: list[str], limit: int
) -> None:
    out = pack(lines, limit)
    assert len(out) <= limit
    if "\n".join(lines) != out:
        assert out.splitlines()[-1].startswith("…and ")


def test_message_split_respects_6000_and_10_embeds() -> None:
    embeds = [render.embed(f"part {i}", "x" * 4000) for i in range(12)]
    messages = render.fit_message(embeds)
    assert sum(len(m) for m in messages) == 12
    for m in messages:
        assert len(m) <= 10 and sum(len(e) for e in m) <= 6000


def test_choices_capped_and_named() -> None:
    choices = render.choices((f"feed {i} " + "n" * 150, str(i)) for i in range(40))
    assert len(choices) == 25 and all(1 <= len(c.name) <= 100 for c in choices)


def test_inert_breaks_mentions() -> None:
    out = render.inert("@everyone <@123> <@&456> <#789> @here")
    assert (
        "@everyone" not in out
        and "<@123>" not in out
        and "<@&456>" not in out
        and "@here" not in out
    )


@settings(max_examples=40, deadline=None)
@given(
    title=text,
    lines=st.lists(text, max_size=30),
    fields=st.lists(st.tuples(text, st.lists(text, max_size=5)), max_size=40),
    spill=st.booleans(),
)
def test_any_reply_fits(
    title: str, lines: list[str], fields: list[tuple[str, list[str]]], spill: bool
) -> None:
    section = present.Section(
        title=title,
        lines=tuple((x,) for x in lines),
        fields=tuple(present.Field(n, tuple((v,) for v in vs)) for n, vs in fields),
        footer=title,
        spill=spill,
    )
    out = render.to_discord(present.Reply(sections=(section,), text=((title * 3,),)))
    assert len(out.send_kwargs().get("content", "")) <= render.CONTENT
    for e in out.embeds:
        _within_limits(e)
    for message in [out.send_kwargs().get("embeds", []), *out.overflow()]:
        assert len(message) <= 10 and sum(len(e) for e in message) <= render.EMBED_TOTAL


def test_only_role_and_channel_spans_mention() -> None:
    line = ("@everyone <@1> <#2> ", present.Strong("<@&3>"), present.RoleRef(4))
    line += (present.ChannelRef(5), present.Link("@here", "https://x.example/"))
    out = render.text(line)
    assert "<@&4>" in out and "<#5>" in out
    for raw in ("@everyone", "<@1>", "<#2>", "<@&3>", "@here"):
        assert raw not in out
