"""The fault-injection harness: the real app as a subprocess, a fake Discord and feed servers.

- :class:`ReliabilityFake` is the project's fake Discord (tests/e2e/fake_discord.py) plus one
  control: hold the answer to a message post (the message is stored, the bot never hears back),
  so the bot can be killed "mid-delivery".
- :class:`FeedFarm` serves many RSS feeds on 127.0.0.1, each with a behaviour: ``ok``,
  ``slow`` (answers after the bot's timeout), ``huge`` (streams past the body cap), ``garbage``
  (random bytes), ``error`` (HTTP 500); it can hold a request open (to kill the bot mid-poll)
  and records every request's time.
- :class:`BotProcess` runs ``python -m tests.reliability.launch run`` (= ``python -m bot run``
  with discord.py redirected to the fake) with its own environment, logs to a file, and can be
  killed with SIGKILL or stopped with SIGTERM.

Waiting is on conditions with deadlines (a real subprocess runs on real time).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from aiohttp import web

from bot.settings import PROJECT_ROOT
from tests.e2e.fake_discord import FakeDiscord
from tests.leftover_processes import process_group

_URL = re.compile(r"https?://[^\s)>\]]+")

# --- fake Discord ------------------------------------------------------------------------


def bot_token() -> str:
    """A token with the real shape (three base64url parts), unique per run."""
    first = base64.urlsafe_b64encode(str(random.randint(10**17, 10**18)).encode()).decode()
    return f"{first.rstrip('=')}.{'Gx' * 3}.{''.join(random.choices('abcdefXYZ0123_-', k=27))}"


class ReliabilityFake(FakeDiscord):
    def __init__(self) -> None:
        super().__init__(token=bot_token())
        self.hold_channel: int | None = None  # hold answers to posts in this channel
        self.held = asyncio.Event()  # a post was stored and its answer is being held
        self._release = asyncio.Event()

    def hold_posts(self, channel_id: int) -> None:
        self.hold_channel = channel_id
        self.held = asyncio.Event()
        self._release = asyncio.Event()

    def release(self) -> None:
        self.hold_channel = None
        self._release.set()

    async def _create_message(self, request: web.Request, body: Any, cid: str) -> web.Response:
        response = await super()._create_message(request, body, cid)
        if self.hold_channel == int(cid) and response.status == 200:
            self.held.set()
            await self._release.wait()
        return response

    def posts(self, channel_id: int) -> list[dict[str, Any]]:
        return list(self.messages.get(channel_id, []))


def message_urls(msg: dict[str, Any]) -> list[str]:
    """Every URL a posted message shows (embed url, fields, description, content)."""
    found = []
    for embed in msg.get("embeds") or []:
        if embed.get("url"):
            found.append(embed["url"])
        text = " ".join(
            [embed.get("description") or ""]
            + [f.get("value", "") for f in embed.get("fields") or []]
        )
        found.extend(_URL.findall(text))
    found.extend(_URL.findall(msg.get("content") or ""))
    return found


# --- feeds -------------------------------------------------------------------------------


@dataclass
class FeedItem:
    title: str
    link: str
    description: str
    published: datetime


@dataclass
class FarmFeed:
    name: str
    behaviour: str = "ok"  # ok | slow | huge | garbage | error
    items: list[FeedItem] = field(default_factory=list)
    hits: list[float] = field(default_factory=list)

    def xml(self, base: str) -> bytes:
        entries = "".join(
            f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
            f'<guid isPermaLink="true">{escape(i.link)}</guid>'
            f"<description>{escape(i.description)}</description>"
            f"<pubDate>{format_datetime(i.published)}</pubDate></item>"
            for i in reversed(self.items)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{escape(self.name)}</title><link>{escape(base)}</link>"
            f"<description>{escape(self.name)}</description>{entries}</channel></rss>"
        ).encode()


class FeedFarm:
    def __init__(self) -> None:
        self.feeds: dict[str, FarmFeed] = {}
        self.base = ""
        self.hold = False  # hold every request to an 'ok' feed open (kill mid-poll)
        self.holding = asyncio.Event()
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.slow_seconds = 30.0
        self.huge_bytes = 20_000_000

    def add(self, name: str, behaviour: str = "ok") -> str:
        self.feeds[name] = FarmFeed(name, behaviour)
        return self.url(name)

    def url(self, name: str) -> str:
        return f"{self.base}/feeds/{name}.xml"

    def publish(self, name: str, item: FeedItem) -> None:
        self.feeds[name].items.append(item)

    def hold_requests(self) -> None:
        self.hold = True
        self.holding = asyncio.Event()
        self._release = asyncio.Event()

    def release(self) -> None:
        self.hold = False
        self._release.set()

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        feed = self.feeds.get(request.match_info["name"])
        if feed is None:
            return web.Response(status=404)
        feed.hits.append(time.monotonic())
        if feed.behaviour == "error":
            return web.Response(status=500, text="upstream exploded")
        if feed.behaviour == "slow":
            await asyncio.sleep(self.slow_seconds)
        if feed.behaviour == "garbage":
            return web.Response(
                body=os.urandom(4096), headers={"Content-Type": "application/rss+xml"}
            )
        if feed.behaviour == "huge":
            resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
            await resp.prepare(request)
            chunk = b"<item><title>x</title></item>" * 4000
            sent = 0
            try:
                await resp.write(b'<?xml version="1.0"?><rss><channel>')
                while sent < self.huge_bytes:
                    await resp.write(chunk)
                    sent += len(chunk)
            except (ConnectionError, RuntimeError):
                pass  # the bot hung up at its cap: what we want
            return resp
        if self.hold:
            self.holding.set()
            await self._release.wait()
        return web.Response(
            body=feed.xml(self.base), headers={"Content-Type": "application/rss+xml"}
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/feeds/{name}.xml", self._serve)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()


# Headlines with little vocabulary in common (apart from the topic) so each is its own story.
_PLACES = [
    "Kramatorsk", "Sloviansk", "Pokrovsk", "Kostiantynivka", "Druzhkivka", "Lyman",
    "Siversk", "Toretsk", "Kurakhove", "Vuhledar", "Bakhmut", "Avdiivka", "Horlivka",
    "Mariupol", "Severodonetsk", "Lysychansk", "Rubizhne", "Starobilsk", "Volnovakha",
    "Dobropillia", "Myrnohrad", "Selydove", "Bilozerske", "Rodynske",
]  # fmt: skip
_SUBJECTS = [
    ("water pumping station", "repaired after {n} weeks without supply"),
    ("maternity hospital", "reopens with {n} new incubators donated"),
    ("coal miners", "strike over {n} months of unpaid wages"),
    ("railway bridge", "rebuilt by engineers in {n} days"),
    ("school", "moves {n} classes underground into shelters"),
    ("bakery cooperative", "feeds {n} families each morning"),
    ("power substation", "hit overnight, {n} homes without electricity"),
    ("evacuation bus convoy", "carries {n} residents westward"),
    ("football stadium", "turned into aid depot storing {n} tonnes"),
    ("orchestra", "plays concert for {n} soldiers in metro station"),
    ("library", "digitises {n} rare manuscripts before shelling"),
    ("veterinary clinic", "rescues {n} abandoned dogs"),
]


def donbas_headline(i: int) -> tuple[str, str]:
    """A distinct Donbas story (headline, summary) for index ``i``."""
    place = _PLACES[i % len(_PLACES)]
    subject, tail = _SUBJECTS[(i * 7) % len(_SUBJECTS)]
    n = 3 + (i * 13) % 97
    title = f"{place} {subject} {tail.format(n=n)} in Donbas"
    summary = (
        f"In {place}, Donetsk region, the {subject} story: local officials said {n} "
        f"was the figure as of this week. Case {i}."
    )
    return title, summary


def quiet_headline(i: int) -> tuple[str, str]:
    """An item that matches no shipped topic."""
    return (
        f"Garden show {i} awards prize to giant pumpkin grower",
        f"Entry number {i} weighed a record amount at the county fair.",
    )


# --- the bot process ---------------------------------------------------------------------


def seeds_without_feeds(dest: Path) -> Path:
    """The shipped seeds (articles, topics) with no default feeds: nothing leaves 127.0.0.1."""
    shutil.copytree(PROJECT_ROOT / "seeds", dest)
    (dest / "feeds.json").write_text(
        json.dumps({"about": "reliability suite: no default feeds", "feeds": []}), "utf-8"
    )
    return dest


class BotProcess:
    _numbers = itertools.count(1)

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.logs: list[Path] = []
        self.starts = 0
        self.stops: list[tuple[float, bool]] = []  # (seconds after SIGTERM, had to SIGKILL)
        self.left_behind: list[str] = []  # processes still running after the app exited

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self) -> None:
        number = next(self._numbers)
        log_path = self.workdir / f"bot-{number}.log"
        self.logs.append(log_path)
        with log_path.open("wb") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                self.env.get("BEATWATCH_RELIABILITY_LAUNCHER", "tests.reliability.launch"),
                "run",
                cwd=self.workdir,
                env=self.env,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # its own process group: see _wait_group_gone
            )
        self.starts += 1

    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def log_text(self) -> str:
        return "\n".join(p.read_text("utf-8", errors="replace") for p in self.logs if p.exists())

    def current_log(self) -> str:
        return self.logs[-1].read_text("utf-8", errors="replace") if self.logs else ""

    async def kill9(self) -> None:
        """SIGKILL the app's own process only (as the OOM killer or ``kill -9 PID`` would)."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        await self._wait_group_gone()

    async def _wait_group_gone(self, within: float = 10.0) -> None:
        """Once the app has exited, the processes it started (the parse pool's forkserver,
        workers and resource tracker) must end by themselves. Any still there after
        ``within`` seconds are recorded in ``left_behind`` (the fixture fails the test) and
        killed with the whole process group."""
        assert self.proc is not None
        pgid = self.proc.pid
        deadline = time.monotonic() + within
        while True:
            members = process_group(pgid)
            if not members or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        if members:
            self.left_behind.extend(f"pid {pid}: {line[:160]}" for pid, line in members.items())
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    async def stop(self, grace: float = 20.0) -> int:
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else 0
        began = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.proc.wait(), grace)
            self.stops.append((time.monotonic() - began, False))
        except TimeoutError:
            self.proc.kill()
            self.stops.append((time.monotonic() - began, True))
            code = await self.proc.wait()
        await self._wait_group_gone()
        return code

    def rss_kb(self) -> int:
        text = Path(f"/proc/{self.pid}/status").read_text()
        line = next(ln for ln in text.splitlines() if ln.startswith("VmRSS:"))
        return int(line.split()[1])


async def wait_until(
    predicate: Callable[[], Any], within: float, what: str, bot: BotProcess | None = None
) -> None:
    """Poll ``predicate`` (sync) every 50 ms; fail with the bot's log tail on timeout."""
    deadline = time.monotonic() + within
    while True:
        if predicate():
            return
        if bot is not None and not bot.running():
            pytest.fail(f"the bot exited while waiting for {what}:\n{bot.current_log()[-3000:]}")
        if time.monotonic() > deadline:
            tail = bot.current_log()[-3000:] if bot else ""
            pytest.fail(f"timed out after {within}s waiting for {what}\n{tail}")
        await asyncio.sleep(0.05)


def db_query(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Read the bot's database from outside (read-only, like an operator would)."""
    if not path.exists():
        return []
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        return list(conn.execute(sql, params).fetchall())
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def now_utc() -> datetime:
    return datetime.now(UTC)


def midmorning_timezone(now: datetime) -> str:
    """A fixed-offset zone in which ``now`` is between 10:00 and 11:00.

    The scenarios derive digest times from the wall clock ("two hours from now", "a minute
    ago"). On a UTC clock those wrap past midnight when the suite runs after 22:00 (today's
    digest is then due at once) or just after midnight; on this clock they never do.
    """
    east = (10 - now.astimezone(UTC).hour) % 24
    if east > 14:  # the Etc/GMT zones span UTC-12 .. UTC+14
        east -= 24
    return "UTC" if east == 0 else f"Etc/GMT{-east:+d}"  # POSIX sign: Etc/GMT-3 is UTC+3
