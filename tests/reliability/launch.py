"""Run the real ``beatwatch`` CLI (``python -m bot ...``) with discord.py pointed at a fake Discord.

    BEATWATCH_RELIABILITY_DISCORD=http://127.0.0.1:PORT python -m tests.reliability.launch run

The only thing changed is where discord.py connects (the three class attributes documented in
../shared/docs/discord-e2e.md); everything else is ``bot.__main__.main`` unmodified.
"""

from __future__ import annotations

import os
import sys


def redirect_discord(base: str) -> None:
    import discord
    import yarl

    discord.http.Route.BASE = base.rstrip("/") + "/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
        base.replace("http://", "ws://").rstrip("/") + "/gateway"
    )
    discord.asset.Asset.BASE = base.rstrip("/") + "/cdn"


def main() -> int:
    base = os.environ.get("BEATWATCH_RELIABILITY_DISCORD")
    if base:
        redirect_discord(base)
    from bot.__main__ import main as beatwatch_main

    return beatwatch_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
