"""One reply, two surfaces: Discord gets markdown and mentions-free text, the terminal gets plain
text with article ids and links."""

from __future__ import annotations

from bot.cli.render import as_text
from bot.discord.render import to_discord
from bot.models import Answer, Citation, Conflict, ConflictClaim
from bot.present.ask import answer_reply, sources_reply
from bot.present.reply import Reply

ANSWER = Answer(
    question="Where did they meet @everyone?",
    answer="In Anchorage.",
    abstained=False,
    confidence=0.9,
    citations=[
        Citation(
            article_id=7 + i,
            headline=f"Talks [day {i}] in Alaska",
            publisher="Wire <@&42>",
            published="2025-08-16",
            quote="They met in Anchorage.",
            url=f"https://wire.example/{i}",
        )
        for i in range(5)
    ],
    conflicts=[
        Conflict(
            subject="share of Donbas",
            claims=[
                ConflictClaim(
                    value="90%", quote="…", publisher="FT", published="2025-10-01", article_id=3
                )
            ],
        )
    ],
)


def _discord_text(reply: Reply) -> str:
    out = to_discord(reply)
    parts = [out.content or ""]
    for e in out.embeds:
        parts += [e.title or "", e.description or "", e.footer.text or ""]
        parts += [f"{f.name}\n{f.value}" for f in e.fields]
    return "\n".join(parts)


def test_the_terminal_shows_ids_and_links_without_markup() -> None:
    text = as_text(answer_reply(ANSWER, sources=True))
    assert "article 7: Talks [day 0] in Alaska <https://wire.example/0>" in text
    assert "== Sources" in text and "“They met in Anchorage.”" in text
    assert "**" not in text and "](" not in text and "press Sources" not in text
    assert "\u200b" not in text and "@everyone" in text  # nothing pings in a terminal


def test_discord_gets_markdown_links_a_button_and_no_mentions() -> None:
    reply = answer_reply(ANSWER)
    assert [b.id for b in reply.buttons] == ["sources"] and not reply.ephemeral
    text = _discord_text(reply)
    assert "**Evidence**\n> They met in Anchorage." in text
    assert "[Talks (day 0) in Alaska](https://wire.example/0)" in text
    assert "article 7" not in text and "press Sources for all" in text
    assert "@everyone" not in text and "<@&42>" not in text
    assert "• **90%** — FT, 2025-10-01" in text
    sources = to_discord(sources_reply(ANSWER))
    assert sources.ephemeral and sources.embeds[0].title == "Sources"
