"""Feed text can never ping; only a topic's configured role may (off by default)."""

from __future__ import annotations

from tests.alerts.conftest import NEWSROOM, Newsroom
from tests.alerts.standins import StandInMatcher, article

RAW = ("@everyone", "@here", "<@1234>", "<@!1234>", "<@&5678>", "<#91011>")


def _all_text(msg: object) -> str:
    from bot.models import OutgoingMessage

    assert isinstance(msg, OutgoingMessage)
    return "\n".join([msg.title, *msg.lines, *(f.value for f in msg.fields), msg.footer])


async def test_mentions_in_feed_text_are_inert(newsroom: Newsroom) -> None:
    await newsroom.arrive(
        article(
            "@everyone Donbas: <@1234> and <@&5678> in <#91011> @here",
            "<@!1234> Times",
            summary="@everyone read about Donetsk <@&5678>",
        )
    )
    await newsroom.deliver(20)
    [msg] = newsroom.posts()
    text = _all_text(msg)
    for raw in RAW:
        assert raw not in text
    assert "@\u200beveryone" in text  # still readable
    assert msg.ping_role_id is None and msg.allowed_role_ids == []


async def test_topic_role_ping_only_when_configured(newsroom: Newsroom) -> None:
    newsroom.topics.by_guild[NEWSROOM] = StandInMatcher(
        {"Donbas": ["Donbas"]}, ping={"Donbas": 999}
    )
    await newsroom.arrive(article("Donbas update <@&5678>", "Reuters"))
    await newsroom.deliver(20)
    [msg] = newsroom.posts()
    assert msg.ping_role_id == 999 and msg.allowed_role_ids == [999]
    assert "<@&5678>" not in _all_text(msg)
    [console] = newsroom.posts(guild_id=0)
    assert console.allowed_role_ids == []
