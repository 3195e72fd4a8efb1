"""``beatwatch run``: the Discord bot with a token; console mode without one.

Console mode is the same application on the terminal: the same services, the feed watcher and
the scheduler running, alerts and digests printed as they happen (the alerts area's
``ConsoleTransport``), and the slash commands typed at a prompt (``/ask ...``, ``/topics list``,
``/help``, ``/quit``), answered with the same replies as on Discord (``bot.present``) printed as
plain text (``bot.cli.render``); nothing here imports discord. It acts as the console newsroom
(guild 0). stdin is read on a daemon thread, so the event loop never blocks on it and Ctrl-C/EOF
end cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from bot import __version__, newsroom
from bot.alerts import actions
from bot.cli.render import as_text
from bot.clock import Clock, SystemClock
from bot.errors import UserFacingError
from bot.models import CONSOLE_GUILD_ID
from bot.ops.runlock import RunLock
from bot.present import alerts, ask, digest, feeds, topics
from bot.present.help import help_reply
from bot.present.reply import Reply
from bot.present.status import status_reply
from bot.present.timeline import timeline_reply
from bot.scheduling import build_scheduler, kick_delivery
from bot.services import Services, start_services, stop_services
from bot.settings import Settings

log = logging.getLogger(__name__)

Write = Callable[[str], None]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "run", help="run beatwatch (the Discord bot, or console mode without a token)"
    )
    p.add_argument(
        "--console",
        action="store_true",
        help="console mode even when a Discord token is configured",
    )
    p.set_defaults(handler=handle)


async def handle(settings: Settings, args: argparse.Namespace) -> int:
    discord_mode = settings.discord_token is not None and not getattr(args, "console", False)
    # One runner per database (a second would post everything twice): refused before anything
    # is opened; the lock goes with the process, kill -9 included.
    with RunLock(
        settings.database_path,
        mode="discord" if discord_mode else "console",
        now=SystemClock().now(),
    ):
        if discord_mode:
            from bot.discord.runner import run_bot  # the Discord shell, loaded only when used

            return await run_bot(settings, _stderr)
        return await run_console(settings, sys.stdin, _stdout)


def _stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _stderr(text: str) -> None:
    sys.stderr.write(text)


# --- console mode -------------------------------------------------------------------------
class _StdinReader:
    """Lines from a text stream, read on a daemon thread and handed to the loop via a queue."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._read, name="console-stdin", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for line in iter(self._stream.readline, ""):
                self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
        except (OSError, ValueError, RuntimeError):  # closed stream or stopped loop
            pass
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, None)
        except RuntimeError:  # the loop is already closed
            pass

    async def readline(self) -> str | None:
        return await self._queue.get()

    def end(self) -> None:
        """Behave as if the input ended (SIGTERM)."""
        self._queue.put_nowait(None)


class Console:
    """Typed slash commands against the services, printed as text (console newsroom)."""

    def __init__(
        self, services: Services, write: Write, transport: Any, scheduler: Any = None
    ) -> None:
        self.services = services
        self.write = write
        self.transport = transport
        self.scheduler = scheduler
        self.guild_id = CONSOLE_GUILD_ID

    async def execute(self, line: str) -> bool:
        """Run one typed line; False when the user asked to quit."""
        line = line.strip()
        if not line:
            return True
        if not line.startswith("/"):
            line = "/" + line
        try:
            words = shlex.split(line[1:])
        except ValueError:
            words = line[1:].split()
        if not words:
            return True
        command, rest = words[0].lower(), words[1:]
        if command in {"quit", "exit"}:
            return False
        try:
            text = await self._run(command, rest, line)
        except UserFacingError as exc:
            text = f"error: {exc}"
        except Exception:  # boundary: one typed command
            log.exception("event=console_command_failed command=%s", command)
            text = "Sorry, something went wrong; it has been logged."
        self.write(text.rstrip() + "\n")
        return True

    async def _run(self, command: str, rest: list[str], line: str) -> str:
        handler = self._commands().get(command)
        if handler is None:
            return f"unknown command /{command}; type /help"
        reply = await handler(rest, line)
        return reply if isinstance(reply, str) else as_text(reply)

    def _commands(self) -> dict[str, Callable[[list[str], str], Awaitable[Reply | str]]]:
        return {
            "help": self._help,
            "ask": self._ask,
            "topics": self._topics,
            "feeds": self._feeds,
            "alerts": self._alerts,
            "digest": self._digest,
            "timeline": self._timeline,
            "status": self._status,
        }

    async def _help(self, rest: list[str], line: str) -> Reply:
        return help_reply()

    async def _ask(self, rest: list[str], line: str) -> Reply | str:
        parts = line.split(None, 1)
        question = parts[1].strip() if len(parts) > 1 else ""
        if not question:
            return "usage: /ask QUESTION"
        return ask.answer_reply(await self.services.facts.ask(question), sources=True)

    async def _topics(self, rest: list[str], line: str) -> Reply | str:
        sub, opts, words = _parse(rest, "topics")
        service, gid = self.services.topics, self.guild_id
        if sub == "list":
            return topics.list_reply(await service.list(gid))
        if sub == "test":
            text = " ".join(words) or opts.get("text", "")
            return topics.matches_reply(await service.test(gid, text))
        if sub == "add":
            name = opts.get("name") or (words[0] if words else "")
            aliases = opts.get("aliases") or ", ".join(words[1:])
            if not name or not aliases:
                return (
                    'usage: /topics add name:NAME aliases:"alias one, alias two" [exclude:"x, y"]'
                )
            context = topics.split_terms(opts.get("context"))
            topic = await service.add(
                gid,
                name,
                topics.split_terms(aliases),
                all_of=[context] if context else [],
                exclude=topics.split_terms(opts.get("exclude")),
            )
            return topics.added_reply(topic)
        if sub == "remove":
            name = opts.get("name") or " ".join(words)
            return topics.removed_reply(await service.remove(gid, name))
        if sub == "backtest":
            name = opts.get("name") or " ".join(words)
            days = int(opts.get("days", "30"))
            return topics.backtest_reply(await service.backtest(gid, name, days))
        return "usage: /topics list|test|add|remove|backtest"

    async def _feeds(self, rest: list[str], line: str) -> Reply | str:
        sub, opts, words = _parse(rest, "feeds")
        service, gid = self.services.feeds, self.guild_id
        if sub == "list":
            return feeds.list_reply(await service.list(gid))
        if sub == "status":
            return feeds.status_reply(await service.status(gid))
        if sub == "add":
            url = opts.get("url") or (words[0] if words else "")
            return (
                feeds.added_reply(await service.add(url, gid)) if url else "usage: /feeds add URL"
            )
        if sub == "remove":
            feed = opts.get("feed") or (words[0] if words else "")
            if not feed:
                return "usage: /feeds remove URL-or-ID"
            return feeds.removed_reply(await service.remove(feed, gid))
        return "usage: /feeds list|status|add|remove"

    async def _alerts(self, rest: list[str], line: str) -> Reply | str:
        sub, opts, words = _parse(rest, "alerts")
        if sub in {"pause", "resume"}:
            await newsroom.set_paused(self.services, self.guild_id, sub == "pause")
            return alerts.paused(sub == "pause")
        if sub == "quiet-hours":
            start = opts.get("from") or (words[0] if words else "")
            end = opts.get("to") or (words[1] if len(words) > 1 else "07:00")
            config = await newsroom.set_quiet_hours(self.services, self.guild_id, start, end)
            return alerts.quiet_hours(config)
        if sub == "channel":
            return alerts.console_channel()
        if sub == "mutes":
            return alerts.mutes_reply(await actions.mutes(self.services.db, self.guild_id))
        if sub == "unmute" and words:
            return alerts.unmuted(await actions.unmute(self.services.db, words[0], self.guild_id))
        return "usage: /alerts pause|resume|quiet-hours FROM TO|mutes|unmute ID"

    async def _digest(self, rest: list[str], line: str) -> Reply | str:
        sub, opts, words = _parse(rest, "digest")
        if sub == "preview":
            found, _lines = await self.services.digests.preview(self.guild_id)
            return digest.preview(found)
        if sub == "now":
            parts, _target = await newsroom.digest_now(self.services, self.guild_id)
            if self.scheduler is not None and self.scheduler.running:
                kick_delivery(self.scheduler)
            else:
                await self.services.alerts.deliver(self.transport, guild_id=self.guild_id)
            return digest.queued(parts, None)  # printed here, no channel to name
        if sub == "schedule":
            time = opts.get("time") or (words[0] if words else "")
            tz = opts.get("timezone") or (
                words[1] if len(words) > 1 else self.services.settings.default_timezone
            )
            config = await newsroom.schedule_digest(self.services, self.guild_id, time, tz)
            if self.scheduler is not None:
                await self.scheduler.reschedule_digest(self.guild_id)
            return digest.scheduled(config)
        return "usage: /digest preview|now|schedule HH:MM TIMEZONE"

    async def _timeline(self, rest: list[str], line: str) -> Reply | str:
        _sub, opts, words = _parse(["-", *rest], "timeline")
        topic = opts.get("topic") or " ".join(words)
        if not topic:
            return "usage: /timeline TOPIC"
        return timeline_reply(await self.services.digests.timeline(self.guild_id, topic))

    async def _status(self, rest: list[str], line: str) -> Reply:
        snap = await newsroom.snapshot(self.services, self.guild_id)
        return status_reply(snap, mode="console")


# The options each console subcommand takes as ``key:value`` (as in Discord). A value runs up to
# the next of its command's keys, so ``name:Black Sea ports aliases:"Odesa port, Izmail"`` gives
# name "Black Sea ports"; a word like ``says:`` in free text is not a key of that command.
_OPTION_KEYS: dict[str, dict[str, frozenset[str]]] = {
    "topics": {
        "add": frozenset({"name", "aliases", "exclude", "context"}),
        "remove": frozenset({"name"}),
        "backtest": frozenset({"name", "days"}),
        "test": frozenset({"text"}),
    },
    "feeds": {"add": frozenset({"url"}), "remove": frozenset({"feed"})},
    "alerts": {"quiet-hours": frozenset({"from", "to"})},
    "digest": {"schedule": frozenset({"time", "timezone"})},
    "timeline": {"-": frozenset({"topic"})},
}


def _parse(rest: list[str], command: str = "") -> tuple[str, dict[str, str], list[str]]:
    """``sub key:value word ...`` -> (sub, {key: value}, [words]).

    Only the subcommand's own keys start an option; the words after an option belong to its
    value until the next option (Discord's values may hold spaces). Words before the first
    option are positional.
    """
    sub = rest[0].lower() if rest else ""
    keys = _OPTION_KEYS.get(command, {}).get(sub, frozenset())
    opts: dict[str, str] = {}
    words: list[str] = []
    current: str | None = None
    for token in rest[1:]:
        key, sep, value = token.partition(":")
        if sep and key in keys:
            current = key
            opts[key] = value
        elif current is not None:
            opts[current] = f"{opts[current]} {token}" if opts[current] else token
        else:
            words.append(token)
    return sub, {k: v.strip() for k, v in opts.items()}, words


async def run_console(
    settings: Settings,
    stream: TextIO,
    write: Write,
    *,
    clock: Clock | None = None,
    start_scheduler: bool = True,
) -> int:
    """Console mode until /quit or end of input."""
    from bot.alerts.transport import ConsoleTransport

    clock = clock or SystemClock()
    services = await start_services(settings, clock)
    transport = ConsoleTransport(write)
    scheduler: Any = None
    ops: Any = None
    try:
        if start_scheduler:
            scheduler = build_scheduler(services, transport, clock)  # ops retention prunes
            scheduler.start()
        try:
            from bot.ops.runtime import OpsRuntime

            ops = OpsRuntime(settings, services.db, clock, mode="console")
            await ops.start()
        except ImportError:
            ops = None
        console = Console(services, write, transport, scheduler)
        write(
            f"beatwatch {__version__} — console mode (no Discord token set). "
            f"Database: {services.db.path}\n"
            "Feeds are polled and alerts and digests are printed here as they happen. "
            "Type /help for commands, /quit to leave.\n"
        )
        reader = _StdinReader(stream)
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, reader.end)
        except (NotImplementedError, RuntimeError):  # not on this platform / not main thread
            pass
        while True:
            write("beatwatch> ")
            line = await reader.readline()
            if line is None:  # end of input
                write("\n")
                break
            if not await console.execute(line):
                break
    finally:
        if scheduler is not None:
            scheduler.pause()
            executor = getattr(scheduler, "_executors", {}).get("default")
            running = [f for f in getattr(executor, "_pending_futures", ()) if not f.done()]
            if running:
                await asyncio.wait(running, timeout=5)
            scheduler.shutdown(wait=False)
        if ops is not None:
            await ops.stop()
        await stop_services(services)
    write("bye\n")
    return 0
