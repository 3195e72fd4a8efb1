"""`beatwatch run` as a real process with a token: connects, answers, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT
from tests.e2e.fake_discord import FakeDiscord

LAUNCH = """
import sys, discord, yarl
base = sys.argv[1]
discord.http.Route.BASE = base + "/api/v10"
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(base.replace("http", "ws") + "/gateway")
from bot.__main__ import main
sys.exit(main(["run"]))
"""


async def test_run_with_token_connects_and_stops_on_sigterm(
    fake: FakeDiscord, seeds_dir: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEATWATCH_")}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        BEATWATCH_DISCORD_TOKEN=fake.token,
        BEATWATCH_DATABASE_PATH=str(tmp_path / "run.sqlite3"),
        BEATWATCH_SEEDS_DIR=str(seeds_dir),
        BEATWATCH_DEV_GUILD_ID=str(fake.guild.id),
        BEATWATCH_ALLOW_PRIVATE_HOSTS="true",
    )
    log = (tmp_path / "run.log").open("w")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LAUNCH,
        f"http://127.0.0.1:{fake.port}",
        env=env,
        cwd=tmp_path,
        stderr=log,
    )
    try:
        await asyncio.wait_for(fake.identified.wait(), 30)
        await asyncio.wait_for(_ready(tmp_path / "run.log"), 30)
        reply = await (await fake.slash("status")).reply()
        assert reply["embeds"][0]["title"] == "beatwatch status"
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        log.close()
    text = (tmp_path / "run.log").read_text()
    assert "event=bot_closed" in text and fake.token not in text


async def _ready(path: Path) -> None:
    for _ in range(600):  # a real process on real time: poll its log briefly
        if "event=bot_ready" in await asyncio.to_thread(path.read_text):
            return
        await asyncio.sleep(0.05)
