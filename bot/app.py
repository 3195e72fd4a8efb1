"""The Discord bot: a ``commands.Bot`` subclass that is the composition root of the Discord shell.

Resources are made outside and injected (settings, clock, optionally ready-made ``Services``);
``setup_hook`` - which runs inside the event loop, before the gateway connects - starts what
needs the loop: the services (database migration, seeds), the scheduler (feed polls, outbox
delivery, digests) with the Discord transport, the persistent alert buttons and the cogs.
Commands are synced only to ``settings.dev_guild_id`` when it is set; otherwise with
``beatwatch sync`` or the owner's ``/admin sync`` (never by surprise).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord
from discord.ext import commands

from bot import __version__
from bot.alerts.transport import ConsoleTransport, RoutingTransport
from bot.clock import Clock, SystemClock
from bot.discord.background import TaskKeeper
from bot.discord.transport import DiscordTransport
from bot.discord.views import ALERT_BUTTONS
from bot.models import CONSOLE_GUILD_ID
from bot.scheduling import BeatwatchScheduler, build_scheduler
from bot.services import Services, start_services, stop_services
from bot.settings import Settings
from bot.storage import guilds
from bot.tree import BeatwatchTree

log = logging.getLogger(__name__)

COGS: tuple[str, ...] = (
    "cogs.ask",
    "cogs.topics",
    "cogs.feeds",
    "cogs.alerts",
    "cogs.digest",
    "cogs.timeline",
    "cogs.status",
    "cogs.admin",
)


SCHEDULER_DRAIN_SECONDS = 5.0


def _log_console_message(text: str) -> None:
    log.info("event=console_newsroom_message text=%s", text.strip())


def retention_hook(services: Services) -> Callable[[], Awaitable[object]] | None:
    """The ops area's retention (old articles, delivered outbox rows) for the daily job."""
    try:
        from bot.ops.retention import prune_old
    except ImportError:
        return None
    settings = services.settings

    async def prune() -> object:
        return await prune_old(
            services.db, services.clock, settings.retention_days, settings.outbox_retention_days
        )

    return prune


def bot_intents() -> discord.Intents:
    """Only what slash commands and posting need: guild events. No message content, no members."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class BeatwatchBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        services: Services | None = None,
        guild_ready_timeout: float = 2.0,
        start_scheduler: bool = True,
        extensions: Sequence[str] = COGS,
        max_ratelimit_timeout: float = 30.0,
        sync_dev_guild: bool = True,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            tree_cls=BeatwatchTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=guild_ready_timeout,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            max_messages=None,
            max_ratelimit_timeout=max_ratelimit_timeout,
        )
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self._services = services
        self._owns_services = services is None
        self.start_scheduler = (
            start_scheduler  # False: no scheduler, no heartbeat (`beatwatch sync`)
        )
        self.sync_dev_guild = sync_dev_guild
        self.extension_names = tuple(extensions)
        self.version = __version__
        self.tasks = TaskKeeper()
        self.discord_transport = DiscordTransport(self)
        # guild 0 is the console/CLI newsroom: its alerts go to the log, not to Discord
        self.transport = RoutingTransport(
            self.discord_transport, {CONSOLE_GUILD_ID: ConsoleTransport(_log_console_message)}
        )
        self.scheduler: BeatwatchScheduler | None = None
        self.ops: Any = None
        self.known_guilds: set[int] = set()
        self.guild_known = asyncio.Event()  # set whenever a server joins ``known_guilds``
        self._guild_lock = asyncio.Lock()
        self._closing = False
        self._closed = asyncio.Event()
        tree = self.tree
        assert isinstance(tree, BeatwatchTree)
        tree.on_guild_seen = self.ensure_guild

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are started in setup_hook")
        return self._services

    # --- start-up ------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        if self._services is None:
            self._services = await start_services(self.settings, self.clock)
        for item in ALERT_BUTTONS:
            self.add_dynamic_items(item)
        for name in self.extension_names:
            await self.load_extension(name)
        if self.start_scheduler:
            self._start_scheduler()
            await self._start_ops()
        if self.settings.dev_guild_id and self.sync_dev_guild:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("event=commands_synced scope=guild guild=%s count=%s", guild.id, len(synced))
        log.info("event=bot_setup_done version=%s cogs=%s", self.version, len(self.extension_names))

    def _start_scheduler(self) -> None:
        self.scheduler = build_scheduler(
            self.services, self.transport, self.clock, prune=retention_hook(self.services)
        )
        self.scheduler.start()
        log.info("event=scheduler_started jobs=%s", len(self.scheduler.get_jobs()))

    async def _start_ops(self) -> None:
        try:
            from bot.ops.runtime import OpsRuntime
        except ImportError:  # the ops area is optional for the shell
            return
        self.ops = OpsRuntime(self.settings, self.services.db, self.clock, mode="discord")
        await self.ops.start()

    async def on_ready(self) -> None:
        log.info(
            "event=bot_ready user_id=%s guilds=%s",
            self.user.id if self.user else None,
            len(self.guilds),
        )

    async def on_guild_join(self, guild: discord.Guild) -> None:
        log.info("event=guild_join guild=%s", guild.id)
        await self.ensure_guild(guild.id, guild.name)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.ensure_guild(guild.id, guild.name)

    async def ensure_guild(self, guild_id: int, name: str = "") -> None:
        """Make sure a server has its settings row and the default feeds (once per process)."""
        if guild_id in self.known_guilds or self._services is None:
            return
        async with self._guild_lock:
            if guild_id in self.known_guilds:
                return
            services = self.services
            async with services.db.transaction() as tx:
                created = await guilds.get_guild(tx, guild_id) is None
                await guilds.ensure_guild(
                    tx,
                    guild_id,
                    services.clock,
                    name=name,
                    timezone=self.settings.default_timezone,
                    digest_time=self.settings.default_digest_time,
                )
            if created:
                log.info("event=guild_created guild=%s", guild_id)
                feeds = getattr(services, "feeds", None)
                subscribe = getattr(feeds, "subscribe_defaults", None)
                if subscribe is not None:
                    await subscribe(guild_id)
                self.tasks.spawn(
                    self._guild_added_to_scheduler(guild_id), name=f"digest-jobs:{guild_id}"
                )
            self.known_guilds.add(guild_id)
            self.guild_known.set()

    async def _guild_added_to_scheduler(self, guild_id: int) -> None:
        if self.scheduler is not None:
            await self.scheduler.refresh_digest_jobs()

    # --- shut-down -----------------------------------------------------------------------
    async def wait_until_closed(self) -> None:
        """Wait until a close started elsewhere (e.g. by SIGTERM) has stopped everything.

        discord.py's ``async with`` skips ``close()`` once the connection is closed, so the
        caller must wait here, or the loop would end while the services are still stopping.
        """
        if self._closing:
            await self._closed.wait()

    async def _stop_scheduler(self, scheduler: Any) -> None:
        """No new runs; let running jobs finish (briefly), then stop and cancel what is left."""
        try:
            scheduler.pause()
            executor = getattr(scheduler, "_executors", {}).get("default")
            running = [f for f in getattr(executor, "_pending_futures", ()) if not f.done()]
            if running:
                await asyncio.wait(running, timeout=SCHEDULER_DRAIN_SECONDS)
            scheduler.shutdown(wait=False)
        except Exception:  # boundary: shutting down must go on
            log.exception("event=scheduler_shutdown_failed")

    async def close(self) -> None:
        if self._closing:
            # a second close (e.g. ``async with`` after a SIGTERM-triggered close) waits for
            # the first to finish stopping the services, so nothing is cut off half-way
            await self._closed.wait()
            return
        self._closing = True
        log.info("event=bot_closing")
        if self.scheduler is not None:
            await self._stop_scheduler(self.scheduler)
            self.scheduler = None
        await self.tasks.cancel_all()
        if self.ops is not None:
            try:
                await self.ops.stop()
            except Exception:  # boundary
                log.exception("event=ops_stop_failed")
            self.ops = None
        await super().close()
        if self._owns_services and self._services is not None:
            await stop_services(self._services)
            self._services = None
        self._closed.set()
        log.info("event=bot_closed")
