"""The Discord transport: limits, mentions, nonce dedupe, and error mapping for the outbox."""

from __future__ import annotations

import pytest

from bot.alerts.transport import PermanentDeliveryError
from bot.models import MessageField, OutgoingMessage
from tests.e2e.conftest import StartBot
from tests.e2e.fake_discord import FakeDiscord


def _msg(fake: FakeDiscord, channel_id: int, **changes: object) -> OutgoingMessage:
    base: dict[str, object] = {
        "dedupe_key": "bw1v1",
        "outbox_id": 1,
        "guild_id": fake.guild.id,
        "channel_id": channel_id,
        "kind": "notice",
        "title": "Feed failing: Wire 01",
        "lines": ["healthy → failing"],
    }
    base.update(changes)
    return OutgoingMessage.model_validate(base)


async def test_oversized_message_is_fitted_to_discord_limits(
    start_bot: StartBot, fake: FakeDiscord
) -> None:
    bot = await start_bot()
    newsroom = fake.channel("newsroom")
    huge = _msg(
        fake,
        newsroom,
        kind="digest",
        title="T" * 1000,
        lines=[f"• line {i} " + "x" * 120 for i in range(400)],
        fields=[MessageField(name="N" * 300, value="V" * 2000) for _ in range(30)],
        footer="F" * 3000,
    )
    ref = await bot.transport.send(huge)
    posted = fake.channel_messages(newsroom)[-1]
    assert ref == f"{newsroom}:{posted['id']}"
    embed = posted["embeds"][0]
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
    assert "more" in embed["description"].splitlines()[-1]  # says what was left out
    assert embed["footer"]["text"].endswith(" · ref bw1v1")  # the key survives the cuts
    # the fake refuses anything over a limit, and the fixture fails on refusals


async def test_role_ping_is_the_only_mention(start_bot: StartBot, fake: FakeDiscord) -> None:
    bot = await start_bot()
    newsroom = fake.channel("newsroom")
    role = fake.role("Donbas desk")
    await bot.transport.send(
        _msg(fake, newsroom, kind="combined", ping_role_id=role, lines=["@everyone <@123>"])
    )
    posted = fake.channel_messages(newsroom)[-1]
    assert posted["content"] == f"<@&{role}>"
    assert posted["allowed_mentions"]["parse"] == []
    assert posted["allowed_mentions"]["roles"] == [str(role)] or posted["allowed_mentions"][
        "roles"
    ] == [role]


async def test_resend_with_same_key_does_not_duplicate(
    start_bot: StartBot, fake: FakeDiscord
) -> None:
    bot = await start_bot()
    newsroom = fake.channel("newsroom")
    first = await bot.transport.send(_msg(fake, newsroom))
    again = await bot.transport.send(_msg(fake, newsroom))
    assert first == again
    assert len(fake.channel_messages(newsroom)) == 1


async def test_missing_permission_and_unknown_channel_are_permanent(
    start_bot: StartBot, fake: FakeDiscord
) -> None:
    bot = await start_bot()
    newsroom = fake.channel("newsroom")
    fake.forbidden_channels.add(newsroom)
    with pytest.raises(PermanentDeliveryError, match="missing permission"):
        await bot.transport.send(_msg(fake, newsroom))
    with pytest.raises(PermanentDeliveryError, match="not found"):
        await bot.transport.send(_msg(fake, 424242))
    with pytest.raises(PermanentDeliveryError, match="no channel"):
        await bot.transport.send(_msg(fake, None))
    with pytest.raises(PermanentDeliveryError, match="not found"):
        await bot.transport.edit(
            f"{fake.channel('general')}:1234", _msg(fake, fake.channel("general"))
        )
