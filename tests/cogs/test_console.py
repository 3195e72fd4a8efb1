"""Console mode (`beatwatch run` without a token): typed slash commands, printed answers."""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.run import run_console
from bot.clock import FixedClock
from bot.settings import PROJECT_ROOT, Settings


@pytest.fixture
def console_settings(settings: Settings, tmp_path: Path) -> Settings:
    seeds = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", seeds)
    (seeds / "feeds.json").write_text(json.dumps({"feeds": []}), encoding="utf-8")  # no network
    return settings.model_copy(update={"seeds_dir": seeds})


async def _session(settings: Settings, clock: FixedClock, *lines: str) -> str:
    out: list[str] = []
    await run_console(
        settings, io.StringIO("".join(f"{line}\n" for line in lines)), out.append, clock=clock
    )
    return "".join(out)


async def test_console_answers_typed_commands_and_ends_on_eof(
    console_settings: Settings, clock: FixedClock
) -> None:
    text = await _session(
        console_settings,
        clock,
        "/help",
        "/ask Where did Trump and Putin meet?",
        "/topics list",
        "/topics test Shelling in Kramatorsk overnight",
        "/status",
        "/digest preview",
        "/nonsense",
    )
    assert "console mode" in text
    assert "/topics add name:NAME" in text  # help
    assert "== Where did Trump and Putin meet?" in text and "== Sources" in text
    assert "Donbas (shipped)" in text
    assert "Shelling in «Kramatorsk» overnight" in text and "**" not in text  # no markup
    assert "== beatwatch status" in text
    assert "Daily digest" in text
    assert "unknown command /nonsense" in text
    assert text.rstrip().endswith("bye")  # EOF ends cleanly


async def test_console_user_mistakes_are_one_line(
    console_settings: Settings, clock: FixedClock
) -> None:
    text = await _session(
        console_settings,
        clock,
        '/topics add name:Donbas aliases:"Donbas"',
        "/digest schedule 25:00 Europe/Kyiv",
        "/alerts quiet-hours 22:00 07:00",
        "/quit",
        "/status",  # never reached
    )
    assert "error: " in text and "shipped" in text
    assert "error: time must be a 24-hour time" in text
    assert "Quiet hours 22:00–07:00" in text
    assert "== beatwatch status" not in text


async def test_console_digest_now_with_nothing_new_prints_nothing(
    console_settings: Settings, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 2, 1, 4, 0, tzinfo=UTC))  # 06:00 in Kyiv: the daily one is at 08:00
    text = await _session(console_settings, clock, "/digest now", "/digest now")
    assert text.count("Nothing new on your topics since the last digest: nothing was posted") == 2
    assert "Daily digest" not in text, text


async def test_console_option_values_keep_their_spaces(
    console_settings: Settings, clock: FixedClock
) -> None:
    """``name:Black Sea ports`` is one value, as Discord sends it, up to the next option."""
    text = await _session(
        console_settings,
        clock,
        '/topics add name:Black Sea ports aliases:"Black Sea port, Odesa port" exclude:Black Sea Fleet',
        "/topics list",
        "/topics test Grain left the Odesa port; the ports: busy",
        "/topics backtest name:Black Sea ports days:7",
        "/topics remove name:Black Sea ports",
    )
    assert "Black Sea ports" in text
    assert "Topic **Black**" not in text and "'Black'" not in text
    listing = text[text.index("Black Sea ports") :]
    assert "Odesa port" in listing and "Black Sea Fleet" in listing
    assert "«Odesa port»" in text  # the free text after "ports:" was not taken as an option
    assert "no topic named" not in text and "error:" not in text, text
