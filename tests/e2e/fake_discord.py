"""A small fake of Discord (REST + Gateway) for driving the real discord.py client in tests.

It serves on 127.0.0.1 with aiohttp, inside the test's event loop. It enforces the rules in
``../shared/docs/discord-e2e.md`` (3 s first response, one initial response, message and embed
limits, autocomplete limits, command JSON rules, exact ``application/json`` content type) and
answers a broken request the way Discord would (a 4xx with the right code). Every such answer is
also recorded in :attr:`FakeDiscord.violations`, so a test fails even when the bot swallowed it.

Only what beatwatch uses is implemented; an unknown route answers 404 and is recorded too.

Message nonces are enforced the way Discord does: only for ``nonce_lifetime`` (a few minutes,
measured on the injectable ``clock``, so a test moves time instead of waiting), and never
returned when messages are fetched (Discord does not keep them on the message).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import yarl
from aiohttp import WSMsgType, web

DISCORD_EPOCH_MS = 1420070400000
API_PREFIX = "/api/v10"
EPHEMERAL = 64
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
BASIC_PERMISSIONS = (
    (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 31)
)  # view/send/embed/history/use-apps

_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


class _Snowflakes:
    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py only parses JSON when Content-Type is exactly application/json.
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


@dataclass
class FakeUser:
    id: int
    name: str
    permissions: int = BASIC_PERMISSIONS
    role_ids: list[int] = field(default_factory=list)

    def member_payload(self) -> dict[str, Any]:
        return {
            "user": user_payload(self.id, self.name),
            "roles": [str(r) for r in self.role_ids],
            "joined_at": _now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "permissions": str(self.permissions),
        }


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    channels: dict[str, int]  # name -> id (text channels)
    roles: dict[str, int]  # name -> id (besides @everyone, whose id is the guild id)

    def payload(self, bot_user: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "owner_id": str(self.owner_id),
            "icon": None,
            "member_count": 3,
            "large": False,
            "unavailable": False,
            "joined_at": _now_iso(),
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "voice_states": [],
            "presences": [],
            "preferred_locale": "en-US",
            "channels": [
                {
                    "id": str(cid),
                    "type": 0,
                    "name": name,
                    "position": pos,
                    "guild_id": str(self.id),
                    "permission_overwrites": [],
                    "nsfw": False,
                    "topic": None,
                    "last_message_id": None,
                    "parent_id": None,
                    "rate_limit_per_user": 0,
                }
                for pos, (name, cid) in enumerate(self.channels.items())
            ],
            "roles": [self.role_payload("@everyone", self.id, 0, BASIC_PERMISSIONS)]
            + [
                self.role_payload(name, rid, pos + 1, 0)
                for pos, (name, rid) in enumerate(self.roles.items())
            ],
            "members": [
                {
                    "user": bot_user,
                    "roles": [],
                    "joined_at": _now_iso(),
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                }
            ],
        }

    @staticmethod
    def role_payload(name: str, rid: int, position: int, permissions: int) -> dict[str, Any]:
        return {
            "id": str(rid),
            "name": name,
            "permissions": str(permissions),
            "position": position,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    def channel_payload(self, channel_id: int) -> dict[str, Any]:
        name = next(n for n, c in self.channels.items() if c == channel_id)
        return {
            "id": str(channel_id),
            "type": 0,
            "name": name,
            "guild_id": str(self.id),
            "position": 0,
            "permissions": str(BASIC_PERMISSIONS),
            "nsfw": False,
            "parent_id": None,
        }


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int
    lose_answer: bool = False  # the request is carried out; only its answer is replaced


@dataclass
class FakeInteraction:
    """One interaction the fake sent, and everything the bot answered to it."""

    id: int
    token: str
    type: int
    guild_id: int
    channel_id: int
    created: float
    payload: dict[str, Any]
    message: dict[str, Any] | None = None  # the component's message (type 3)
    initial: dict[str, Any] | None = None  # the callback body
    initial_status: int | None = None
    original: dict[str, Any] | None = None  # the response message, as edited
    followups: list[dict[str, Any]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def ephemeral(self) -> bool:
        msg = self.reply_message()
        return bool(msg and (msg.get("flags", 0) & EPHEMERAL))

    def reply_message(self) -> dict[str, Any] | None:
        """What the user sees: the first followup, else the (edited) original response."""
        if self.initial is None:
            return None
        kind = self.initial.get("type")
        if kind == 4:
            return self.original
        if kind == 5:
            if self.original is not None and self.original.get("_edited"):
                return self.original
            return self.followups[0] if self.followups else None
        if kind in (6, 7):
            return self.followups[0] if self.followups else self.message
        return None

    async def wait_for(self, predicate: Callable[[], Any], within: float = 5.0) -> None:
        async def loop() -> None:
            while not predicate():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(loop(), within)

    async def reply(self, within: float = 5.0) -> dict[str, Any]:
        """Wait for the message the user would see, and return it."""
        await self.wait_for(lambda: self.reply_message() is not None, within)
        msg = self.reply_message()
        assert msg is not None
        return msg

    async def choices(self, within: float = 5.0) -> list[dict[str, Any]]:
        await self.wait_for(lambda: self.initial is not None, within)
        assert self.initial is not None and self.initial["type"] == 8, self.initial
        return list(self.initial["data"]["choices"])


class FakeDiscord:
    """REST + Gateway on 127.0.0.1. Use ``async with FakeDiscord() as fake:``."""

    def __init__(
        self, *, token: str = "fake-token", clock: Callable[[], datetime] | None = None
    ) -> None:
        self.token = token
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.nonce_lifetime = timedelta(minutes=5)
        self._nonces: dict[tuple[int, str], tuple[dict[str, Any], datetime]] = {}
        self.ids = _Snowflakes()
        self.app_id = self.ids.next()
        self.owner = FakeUser(self.ids.next(), "owner", permissions=ADMINISTRATOR | MANAGE_GUILD)
        self.bot_user = user_payload(self.ids.next(), "beatwatch", bot=True)
        self.guilds: dict[int, FakeGuild] = {}
        self.bot_guilds: list[int] = []
        gid = self.ids.next()
        self.guild = FakeGuild(
            id=gid,
            name="Newsroom",
            owner_id=self.owner.id,
            channels={"newsroom": self.ids.next(), "general": self.ids.next()},
            roles={"Editors": self.ids.next(), "Donbas desk": self.ids.next()},
        )
        self.guilds[gid] = self.guild
        self.bot_guilds.append(gid)
        self.manager = FakeUser(
            self.ids.next(), "editor", permissions=BASIC_PERMISSIONS | MANAGE_GUILD
        )
        self.reporter = FakeUser(self.ids.next(), "reporter")
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.sync_requests: list[tuple[int | None, list[dict[str, Any]]]] = []
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.interactions: dict[str, FakeInteraction] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.forbidden_channels: set[int] = set()
        self.response_deadline = 3.0
        self.token_lifetime = 15 * 60.0
        self.message_event = asyncio.Event()
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._saved: tuple[Any, Any, Any] | None = None
        self.port = 0
        self.identified = asyncio.Event()
        self.uploads: dict[str, bytes] = {}

    # --- lifecycle -------------------------------------------------------------------------
    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware], client_max_size=8 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{id}/{filename}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self._saved = (
            discord.http.Route.BASE,
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
            discord.asset.Asset.BASE,
        )
        base = f"http://127.0.0.1:{self.port}"
        discord.http.Route.BASE = base + API_PREFIX
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
            f"ws://127.0.0.1:{self.port}/gateway"
        )
        discord.asset.Asset.BASE = base + "/cdn"

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._saved is not None:
            (
                discord.http.Route.BASE,
                discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
                discord.asset.Asset.BASE,
            ) = self._saved
            self._saved = None

    # --- test controls ---------------------------------------------------------------------
    def channel(self, name: str) -> int:
        return self.guild.channels[name]

    def role(self, name: str) -> int:
        return self.guild.roles[name]

    def fail_next(
        self,
        method: str,
        path: str,
        status: int,
        body: dict[str, Any] | None = None,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next ``times`` requests matching (method, path regex) get this answer."""
        self.faults.append(
            Fault(method, re.compile(path), status, body or {}, headers or {}, times)
        )

    def lose_next_answer(
        self, method: str, path: str, status: int = 503, *, times: int = 1
    ) -> None:
        """The next ``times`` matching requests are carried out (a post is stored), but the
        answer is lost: the client gets ``status`` (503: discord.py does not retry it)."""
        self.faults.append(
            Fault(
                method,
                re.compile(path),
                status,
                {"message": "upstream connect error", "code": 0},
                {},
                times,
                lose_answer=True,
            )
        )

    def rate_limit_next(
        self, method: str, path: str, retry_after: float = 0.01, times: int = 1
    ) -> None:
        self.fail_next(
            method,
            path,
            429,
            {"message": "You are being rate limited.", "retry_after": retry_after, "global": False},
            times=times,
            headers={"Via": "1.1 google", "X-RateLimit-Scope": "user"},
        )

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        return self.messages.get(channel_id, [])

    async def wait_for_message(
        self,
        channel_id: int,
        predicate: Callable[[dict[str, Any]], bool] = lambda m: True,
        within: float = 5.0,
    ) -> dict[str, Any]:
        async def loop() -> dict[str, Any]:
            while True:
                for msg in self.channel_messages(channel_id):
                    if predicate(msg):
                        return msg
                self.message_event.clear()
                await self.message_event.wait()

        return await asyncio.wait_for(loop(), within)

    async def wait_until(self, predicate: Callable[[], Any], within: float = 5.0) -> None:
        async def loop() -> None:
            while not predicate():
                self.message_event.clear()
                await self.message_event.wait()

        await asyncio.wait_for(loop(), within)

    def registered(self, scope: int | None = None) -> list[dict[str, Any]]:
        return self.commands.get(scope, [])

    # --- gateway ---------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(
            json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        )
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op = frame.get("op")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
                elif op == 2:
                    if frame["d"].get("token") != self.token:
                        await ws.close(code=4004, message=b"Authentication failed.")
                        break
                    await self._identify(ws)
                elif op == 6:
                    await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
        return ws

    async def _identify(self, ws: web.WebSocketResponse) -> None:
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": str(g), "unavailable": True} for g in self.bot_guilds],
            "session_id": "fake-session",
            "resume_gateway_url": f"ws://127.0.0.1:{self.port}/gateway",
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self._send(ws, "READY", ready)
        for gid in self.bot_guilds:
            await self._send(ws, "GUILD_CREATE", self.guilds[gid].payload(self.bot_user))
        self.identified.set()

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        assert self._sockets, "the bot is not connected to the fake gateway"
        for ws in list(self._sockets):
            await self._send(ws, event, data)

    async def join_guild(self, name: str = "Second newsroom") -> FakeGuild:
        """The bot is added to a new server (GUILD_CREATE -> on_guild_join)."""
        guild = FakeGuild(
            id=self.ids.next(),
            name=name,
            owner_id=self.owner.id,
            channels={"newsroom": self.ids.next()},
            roles={},
        )
        self.guilds[guild.id] = guild
        self.bot_guilds.append(guild.id)
        await self.dispatch("GUILD_CREATE", guild.payload(self.bot_user))
        return guild

    # --- interactions ----------------------------------------------------------------------
    def _find_command(self, name: str, guild_id: int) -> dict[str, Any]:
        for scope in (guild_id, None):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == 1:
                    return cmd
        raise AssertionError(f"/{name} is not registered (scopes: {list(self.commands)})")

    def _build_options(
        self,
        definitions: list[dict[str, Any]],
        values: dict[str, Any],
        resolved: dict[str, Any],
        guild: FakeGuild,
        focused: str | None,
    ) -> list[dict[str, Any]]:
        known = {d["name"]: d for d in definitions}
        unknown = set(values) - set(known)
        assert not unknown, f"unknown options {unknown}; the command has {sorted(known)}"
        missing = [d["name"] for d in definitions if d.get("required") and d["name"] not in values]
        if focused is None:
            assert not missing, f"required options missing: {missing}"
        out = []
        for name, value in values.items():
            kind = known[name]["type"]
            opt: dict[str, Any] = {"name": name, "type": kind, "value": value}
            if kind == 7:  # channel
                opt["value"] = str(value)
                resolved.setdefault("channels", {})[str(value)] = guild.channel_payload(int(value))
            elif kind == 11:  # attachment: a dict from upload()
                opt["value"] = value["id"]
                resolved.setdefault("attachments", {})[value["id"]] = value
            elif kind == 8:  # role
                opt["value"] = str(value)
                rname = next(n for n, r in guild.roles.items() if r == int(value))
                resolved.setdefault("roles", {})[str(value)] = guild.role_payload(
                    rname, int(value), 1, 0
                )
            if name == focused:
                opt["focused"] = True
            out.append(opt)
        return out

    def _base_interaction(
        self, kind: int, data: dict[str, Any], user: FakeUser, guild: FakeGuild, channel_id: int
    ) -> tuple[FakeInteraction, dict[str, Any]]:
        iid = self.ids.next()
        token = f"tok{iid}"
        payload = {
            "id": str(iid),
            "type": kind,
            "token": token,
            "version": 1,
            "application_id": str(self.app_id),
            "attachment_size_limit": 10 * 1024 * 1024,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "guild_locale": "en-US",
            "channel_id": str(channel_id),
            "channel": guild.channel_payload(channel_id),
            "member": user.member_payload(),
            "app_permissions": str(BASIC_PERMISSIONS),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
        }
        ix = FakeInteraction(
            id=iid,
            token=token,
            type=kind,
            guild_id=guild.id,
            channel_id=channel_id,
            created=time.monotonic(),
            payload=payload,
        )
        self.interactions[token] = ix
        return ix, payload

    async def slash(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        user: FakeUser | None = None,
        guild: FakeGuild | None = None,
        channel: str = "general",
        focused: str | None = None,
        enforce_permissions: bool = True,
    ) -> FakeInteraction:
        """Invoke ``/command [group] [sub]`` as ``user`` (default: the manager).

        With ``focused`` set, sends an autocomplete interaction for that option instead.
        ``enforce_permissions`` mimics Discord hiding a command from members who lack its
        default_member_permissions (turn it off to act as if a server admin overrode it).
        """
        user = user or self.manager
        guild = guild or self.guild
        parts = command.strip("/").split()
        cmd = self._find_command(parts[0], guild.id)
        required = int(cmd.get("default_member_permissions") or 0)
        if (
            enforce_permissions
            and required
            and not (user.permissions & ADMINISTRATOR or (user.permissions & required) == required)
        ):
            raise PermissionError(f"Discord would not let {user.name} use /{command}")
        resolved: dict[str, Any] = {}
        definitions = cmd.get("options", [])
        path = []
        for part in parts[1:]:
            sub = next((o for o in definitions if o["name"] == part and o["type"] in (1, 2)), None)
            assert sub is not None, f"/{command}: no subcommand {part!r}"
            path.append(sub)
            definitions = sub.get("options", [])
        leaf = self._build_options(definitions, options or {}, resolved, guild, focused)
        nested: list[dict[str, Any]] = leaf
        for sub in reversed(path):
            nested = [{"name": sub["name"], "type": sub["type"], "options": nested}]
        data = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 1,
            "options": nested,
            "resolved": resolved,
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        ix, payload = self._base_interaction(
            4 if focused else 2, data, user, guild, guild.channels[channel]
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return ix

    async def click(
        self, message: dict[str, Any], custom_id: str, *, user: FakeUser | None = None
    ) -> FakeInteraction:
        """Click the button ``custom_id`` on a message the bot posted."""
        ids = [
            c.get("custom_id")
            for row in message.get("components", [])
            for c in row.get("components", [])
        ]
        assert custom_id in ids, f"no button {custom_id!r} on the message (has {ids})"
        user = user or self.manager
        channel_id = int(message["channel_id"])
        guild = next(g for g in self.guilds.values() if channel_id in g.channels.values())
        ix, payload = self._base_interaction(
            3, {"custom_id": custom_id, "component_type": 2}, user, guild, channel_id
        )
        payload["message"] = message
        ix.message = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return ix

    async def choose(
        self,
        message: dict[str, Any],
        custom_id: str,
        values: list[str],
        *,
        user: FakeUser | None = None,
    ) -> FakeInteraction:
        """Choose ``values`` in the select menu ``custom_id`` on a message the bot posted."""
        menu = next(
            (
                c
                for row in message.get("components", [])
                for c in row.get("components", [])
                if c.get("custom_id") == custom_id and c.get("type") == 3
            ),
            None,
        )
        assert menu is not None, f"no select menu {custom_id!r} on the message"
        offered = {o["value"] for o in menu.get("options", [])}
        assert set(values) <= offered, f"{values} not among the options {sorted(offered)}"
        user = user or self.manager
        channel_id = int(message["channel_id"])
        guild = next(g for g in self.guilds.values() if channel_id in g.channels.values())
        ix, payload = self._base_interaction(
            3,
            {"custom_id": custom_id, "component_type": 3, "values": values},
            user,
            guild,
            channel_id,
        )
        payload["message"] = message
        ix.message = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return ix

    # --- REST ------------------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        path = (
            request.path[len(API_PREFIX) :] if request.path.startswith(API_PREFIX) else request.path
        )
        for fault in self.faults:
            if fault.times > 0 and fault.method == request.method and fault.path.search(path):
                fault.times -= 1
                if fault.lose_answer:
                    await handler(request)
                self.requests.append((request.method, path, f"FAULT {fault.status}"))
                return _json(fault.body, fault.status, fault.headers)
        return await handler(request)  # type: ignore[no-any-return]

    def _violation(self, status: int, code: int, message: str, where: str) -> web.Response:
        self.violations.append(f"{where}: {code} {message}")
        self.message_event.set()
        return _json({"code": code, "message": message, "errors": {}}, status)

    async def _body(self, request: web.Request) -> Any:
        if not request.can_read_body:
            return None
        if request.content_type == "multipart/form-data":
            form = await request.post()
            body = json.loads(str(form["payload_json"]))
            files = [
                {"filename": v.filename, "data": v.file.read()}
                for k, v in form.items()
                if k.startswith("files[") and isinstance(v, web.FileField)
            ]
            if files:  # kept on the message as "_files" (an interaction callback: in its data)
                target = body.get("data") if isinstance(body.get("data"), dict) else body
                target["_files"] = files
            return body
        return await request.json()

    def upload(self, filename: str, data: bytes, content_type: str = "text/xml") -> dict[str, Any]:
        """A file a user attaches to a command option (served on the fake's CDN)."""
        aid = str(self.ids.next())
        self.uploads[aid] = data
        return {
            "id": aid,
            "filename": filename,
            "size": len(data),
            "content_type": content_type,
            "url": f"http://127.0.0.1:{self.port}/attachments/{aid}/{filename}",
            "proxy_url": f"http://127.0.0.1:{self.port}/attachments/{aid}/{filename}",
        }

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        data = self.uploads.get(request.match_info["id"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    async def _api(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method
        body = await self._body(request)
        self.requests.append((method, path, body))
        is_webhook = path.startswith("/interactions/") or path.startswith("/webhooks/")
        if not is_webhook and request.headers.get("Authorization") != f"Bot {self.token}":
            return _json({"code": 0, "message": "401: Unauthorized"}, 401)
        for pattern, meth, handler in self._routes():
            m = re.fullmatch(pattern, path)
            if m and meth == method:
                return await handler(request, body, **m.groupdict())
        return self._violation(404, 0, f"no fake route for {method} {path}", "route")

    def _routes(self) -> list[tuple[str, str, Any]]:
        return [
            (r"/users/@me", "GET", self._get_me),
            (r"/oauth2/applications/@me", "GET", self._get_app),
            (r"/applications/(?P<app>\d+)/commands", "PUT", self._put_commands),
            (r"/applications/(?P<app>\d+)/commands", "GET", self._get_commands),
            (r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands", "PUT", self._put_commands),
            (r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands", "GET", self._get_commands),
            (r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", "POST", self._callback),
            (r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)", "POST", self._followup),
            (r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)", "PATCH", self._edit_webhook_message),
            (r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)", "GET", self._get_webhook_message),
            (r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/@original", "DELETE", self._delete_original),
            (r"/channels/(?P<cid>\d+)/messages", "POST", self._create_message),
            (r"/channels/(?P<cid>\d+)/messages", "GET", self._list_messages),
            (r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", "PATCH", self._edit_message),
            (r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", "GET", self._get_message),
            (r"/channels/(?P<cid>\d+)", "GET", self._get_channel),
        ]  # fmt: skip

    async def _get_me(self, request: web.Request, body: Any) -> web.Response:
        return _json({**self.bot_user, "verified": True, "mfa_enabled": False, "flags": 0})

    async def _get_app(self, request: web.Request, body: Any) -> web.Response:
        return _json(
            {
                "id": str(self.app_id),
                "name": "beatwatch",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": user_payload(self.owner.id, self.owner.name),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
            }
        )

    # commands
    def _check_options(self, options: list[dict[str, Any]], where: str) -> list[str]:
        problems = []
        if len(options) > 25:
            problems.append(f"{where}: more than 25 options")
        names = [o.get("name", "") for o in options]
        if len(set(names)) != len(names):
            problems.append(f"{where}: duplicate option names {names}")
        seen_optional = False
        for opt in options:
            name = opt.get("name", "")
            here = f"{where} {name}"
            if not _COMMAND_NAME.match(name) or name != name.lower():
                problems.append(f"{here}: bad name")
            desc = opt.get("description", "")
            if not 1 <= len(desc) <= 100:
                problems.append(f"{here}: description length {len(desc)}")
            if opt.get("type") in (1, 2):
                problems += self._check_options(opt.get("options", []), here)
                continue
            if opt.get("required"):
                if seen_optional:
                    problems.append(f"{here}: required option after an optional one")
            else:
                seen_optional = True
            if len(opt.get("choices") or []) > 25:
                problems.append(f"{here}: more than 25 choices")
            if opt.get("choices") and opt.get("autocomplete"):
                problems.append(f"{here}: choices and autocomplete together")
        return problems

    async def _put_commands(
        self, request: web.Request, body: Any, app: str, guild: str | None = None
    ) -> web.Response:
        scope = int(guild) if guild else None
        self.sync_requests.append((scope, body))
        problems = []
        if int(app) != self.app_id:
            problems.append("wrong application id")
        if not isinstance(body, list):
            problems.append("body is not a list")
            body = []
        if len([c for c in body if c.get("type", 1) == 1]) > 100:
            problems.append("more than 100 chat input commands")
        keys = [(c.get("type", 1), c.get("name")) for c in body]
        if len(set(keys)) != len(keys):
            problems.append(f"duplicate command names {sorted(k[1] for k in keys)}")
        for cmd in body:
            name = cmd.get("name", "")
            if not _COMMAND_NAME.match(name) or name != name.lower():
                problems.append(f"/{name}: bad name")
            desc = cmd.get("description", "")
            if cmd.get("type", 1) == 1 and not 1 <= len(desc) <= 100:
                problems.append(f"/{name}: description length {len(desc)}")
            problems += self._check_options(cmd.get("options", []), f"/{name}")
        if problems:
            self.violations.append("sync: " + "; ".join(problems))
            return _json(
                {"code": 50035, "message": "Invalid Form Body", "errors": {"_errors": problems}},
                400,
            )
        stored = []
        for cmd in body:
            stored.append(
                {
                    **cmd,
                    "id": str(self.ids.next()),
                    "application_id": str(self.app_id),
                    "version": str(self.ids.next()),
                    "type": cmd.get("type", 1),
                    **({"guild_id": str(scope)} if scope else {}),
                }
            )
        self.commands[scope] = stored
        return _json(stored)

    async def _get_commands(
        self, request: web.Request, body: Any, app: str, guild: str | None = None
    ) -> web.Response:
        return _json(self.commands.get(int(guild) if guild else None, []))

    # message validation
    def _message_problems(self, body: dict[str, Any]) -> list[str]:
        problems = []
        content = body.get("content") or ""
        if len(content) > 2000:
            problems.append(f"content is {len(content)} characters (max 2000)")
        embeds = body.get("embeds") or []
        if len(embeds) > 10:
            problems.append(f"{len(embeds)} embeds (max 10)")
        total = 0
        for i, e in enumerate(embeds):
            limits = [
                ("title", e.get("title") or "", 256),
                ("description", e.get("description") or "", 4096),
                ("footer", (e.get("footer") or {}).get("text") or "", 2048),
                ("author", (e.get("author") or {}).get("name") or "", 256),
            ]
            fields = e.get("fields") or []
            if len(fields) > 25:
                problems.append(f"embed {i}: {len(fields)} fields (max 25)")
            for j, f in enumerate(fields):
                limits.append((f"field {j} name", f.get("name") or "", 256))
                limits.append((f"field {j} value", f.get("value") or "", 1024))
                if not f.get("name") or not f.get("value"):
                    problems.append(f"embed {i}: field {j} has an empty name or value")
            for what, text, limit in limits:
                if len(text) > limit:
                    problems.append(f"embed {i}: {what} is {len(text)} characters (max {limit})")
                total += len(text)
            if e.get("url") and not str(e["url"]).startswith(("http://", "https://")):
                problems.append(f"embed {i}: url is not http(s)")
        if total > 6000:
            problems.append(f"embeds total {total} characters (max 6000)")
        rows = body.get("components") or []
        if len(rows) > 5:
            problems.append(f"{len(rows)} component rows (max 5)")
        for row in rows:
            items = row.get("components") or []
            if len(items) > 5:
                problems.append("more than 5 buttons in a row")
            if any(item.get("type") == 3 for item in items) and len(items) > 1:
                problems.append("a select menu must be alone in its row")
            for item in items:
                if item.get("type") == 3 and not 1 <= len(item.get("options") or []) <= 25:
                    problems.append("a select menu needs 1 to 25 options")
                if len(item.get("custom_id") or "") > 100:
                    problems.append("custom_id longer than 100")
                if len(item.get("label") or "") > 80:
                    problems.append("button label longer than 80")
        return problems

    def _new_message(
        self, channel_id: int, body: dict[str, Any], *, webhook: bool = False
    ) -> dict[str, Any]:
        guild_id = next(
            (g.id for g in self.guilds.values() if channel_id in g.channels.values()), None
        )
        msg = {
            "id": str(self.ids.next()),
            "channel_id": str(channel_id),
            "guild_id": str(guild_id) if guild_id else None,
            "type": 0,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "author": self.bot_user,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "flags": body.get("flags") or 0,
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "attachments": [
                {"id": str(self.ids.next()), "filename": f["filename"], "size": len(f["data"])}
                for f in body.get("_files") or []
            ],
            # not part of Discord's message object: the files' bytes, for tests
            "files": {f["filename"]: f["data"] for f in body.get("_files") or []},
            "pinned": False,
            "tts": False,
            "nonce": body.get("nonce"),
            # not part of Discord's message object; kept so tests can assert on what was sent
            "allowed_mentions": body.get("allowed_mentions"),
            "edits": 0,
        }
        if webhook:
            msg["webhook_id"] = str(self.app_id)
            msg["application_id"] = str(self.app_id)
        return msg

    def _apply_edit(self, msg: dict[str, Any], body: dict[str, Any]) -> None:
        for key in ("content", "embeds", "components", "flags", "allowed_mentions"):
            if key in body:
                msg[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        msg["edited_timestamp"] = _now_iso()
        msg["edits"] = msg.get("edits", 0) + 1
        msg["_edited"] = True

    def _store(self, msg: dict[str, Any]) -> None:
        self.messages.setdefault(int(msg["channel_id"]), []).append(msg)
        self.message_event.set()

    def _find_message(self, channel_id: int, message_id: int) -> dict[str, Any] | None:
        for msg in self.messages.get(channel_id, []):
            if int(msg["id"]) == message_id:
                return msg
        return None

    def _known_channel(self, channel_id: int) -> bool:
        return any(
            channel_id in g.channels.values()
            for g in self.guilds.values()
            if g.id in self.bot_guilds
        )

    async def _create_message(self, request: web.Request, body: Any, cid: str) -> web.Response:
        channel_id = int(cid)
        if not self._known_channel(channel_id):
            return _json({"code": 10003, "message": "Unknown Channel"}, 404)
        if channel_id in self.forbidden_channels:
            return _json({"code": 50013, "message": "Missing Permissions"}, 403)
        problems = self._message_problems(body)
        if not (body.get("content") or body.get("embeds") or body.get("components")):
            problems.append("empty message")
        if problems:
            return self._violation(
                400, 50035, "; ".join(problems), f"POST /channels/{cid}/messages"
            )
        nonce = body.get("nonce")
        if nonce is not None and len(str(nonce)) > 25:
            return self._violation(400, 50035, "nonce longer than 25", "nonce")
        now = self.clock()
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get((channel_id, str(nonce)))
            if seen is not None and now - seen[1] < self.nonce_lifetime:
                return _json(seen[0])
        msg = self._new_message(channel_id, body)
        if nonce is not None:
            self._nonces[(channel_id, str(nonce))] = (msg, now)
        self._store(msg)
        return _json(msg)

    async def _list_messages(self, request: web.Request, body: Any, cid: str) -> web.Response:
        """GET /channels/{id}/messages: newest first, ``limit`` (1-100, default 50), ``before``
        / ``after`` (message ids); the nonce is not part of a fetched message."""
        channel_id = int(cid)
        if not self._known_channel(channel_id):
            return _json({"code": 10003, "message": "Unknown Channel"}, 404)
        if channel_id in self.forbidden_channels:
            return _json({"code": 50013, "message": "Missing Permissions"}, 403)
        limit = int(request.query.get("limit", "50"))
        if not 1 <= limit <= 100:
            return self._violation(400, 50035, f"limit {limit} (1-100)", "GET messages")
        found = sorted(self.messages.get(channel_id, []), key=lambda m: int(m["id"]), reverse=True)
        if "before" in request.query:
            found = [m for m in found if int(m["id"]) < int(request.query["before"])]
        if "after" in request.query:
            found = [m for m in found if int(m["id"]) > int(request.query["after"])]
        return _json([self._fetched(m) for m in found[:limit]])

    @staticmethod
    def _fetched(msg: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in msg.items() if k != "nonce"}

    async def _edit_message(
        self, request: web.Request, body: Any, cid: str, mid: str
    ) -> web.Response:
        msg = self._find_message(int(cid), int(mid))
        if msg is None:
            return _json({"code": 10008, "message": "Unknown Message"}, 404)
        if int(cid) in self.forbidden_channels:
            return _json({"code": 50013, "message": "Missing Permissions"}, 403)
        merged = {**msg, **body}
        problems = self._message_problems(merged)
        if problems:
            return self._violation(400, 50035, "; ".join(problems), f"PATCH message {mid}")
        self._apply_edit(msg, body)
        self.message_event.set()
        return _json(msg)

    async def _get_message(
        self, request: web.Request, body: Any, cid: str, mid: str
    ) -> web.Response:
        msg = self._find_message(int(cid), int(mid))
        if msg is None:
            return _json({"code": 10008, "message": "Unknown Message"}, 404)
        return _json(self._fetched(msg))

    async def _get_channel(self, request: web.Request, body: Any, cid: str) -> web.Response:
        for g in self.guilds.values():
            if int(cid) in g.channels.values():
                return _json(g.channel_payload(int(cid)))
        return _json({"code": 10003, "message": "Unknown Channel"}, 404)

    # interaction responses
    def _interaction(self, token: str) -> FakeInteraction | None:
        ix = self.interactions.get(token)
        if ix is not None and time.monotonic() - ix.created > self.token_lifetime:
            return None
        return ix

    async def _callback(
        self, request: web.Request, body: Any, iid: str, token: str
    ) -> web.Response:
        ix = self.interactions.get(token)
        if ix is None or ix.id != int(iid):
            return self._violation(404, 10062, "Unknown interaction", "callback")
        if time.monotonic() - ix.created > self.response_deadline:
            return self._violation(
                404, 10062, "Unknown interaction (answered after 3 s)", "callback"
            )
        if ix.initial is not None:
            return self._violation(
                400, 40060, "Interaction has already been acknowledged.", "callback"
            )
        kind = body.get("type")
        data = body.get("data") or {}
        allowed = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}[ix.type]
        if kind not in allowed:
            return self._violation(
                400, 50035, f"callback type {kind} for interaction type {ix.type}", "callback"
            )
        if kind == 8:
            choices = data.get("choices") or []
            bad = [c for c in choices if not 1 <= len(str(c.get("name", ""))) <= 100]
            if len(choices) > 25 or bad:
                return self._violation(
                    400, 50035, f"{len(choices)} choices / bad names {bad}", "autocomplete"
                )
        if kind in (4, 7):
            problems = self._message_problems(data)
            if kind == 4 and not (data.get("content") or data.get("embeds")):
                problems.append("empty message")
            if problems:
                return self._violation(400, 50035, "; ".join(problems), "callback")
        ix.initial = body
        resource: dict[str, Any] = {"type": kind}
        if kind == 4:
            ix.original = self._new_message(ix.channel_id, data, webhook=True)
            self._store(ix.original)
            resource["message"] = ix.original
        elif kind == 5:
            ix.original = self._new_message(
                ix.channel_id,
                {"content": "", "flags": (data.get("flags") or 0) | 128},
                webhook=True,
            )
            ix.original["_edited"] = False
            self._store(ix.original)
        elif kind == 7 and ix.message is not None:
            self._apply_edit(
                self._find_message(int(ix.message["channel_id"]), int(ix.message["id"]))
                or ix.message,
                data,
            )
            ix.original = ix.message
            resource["message"] = ix.original
        elif kind == 6 and ix.message is not None:
            ix.original = (
                self._find_message(int(ix.message["channel_id"]), int(ix.message["id"]))
                or ix.message
            )
        ix.initial_status = 200
        ix.changed.set()
        self.message_event.set()
        reply = {
            "interaction": {
                "id": str(ix.id),
                "type": ix.type,
                "response_message_id": ix.original["id"] if ix.original else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool((data.get("flags") or 0) & EPHEMERAL),
            },
            "resource": resource,
        }
        return _json(reply)

    async def _followup(
        self, request: web.Request, body: Any, app: str, token: str
    ) -> web.Response:
        ix = self._interaction(token)
        if ix is None:
            return self._violation(401, 50027, "Invalid Webhook Token", "followup")
        if ix.initial is None:
            return self._violation(400, 10015, "followup before the initial response", "followup")
        problems = self._message_problems(body)
        if not (body.get("content") or body.get("embeds")):
            problems.append("empty message")
        if problems:
            return self._violation(400, 50035, "; ".join(problems), "followup")
        flags = body.get("flags") or 0
        if (
            ix.initial.get("type") == 5
            and not ix.followups
            and ix.original is not None
            and not ix.original.get("_deleted")
        ):
            # The first followup after a deferral becomes the original response, with the
            # ephemeral flag of the deferral (Discord ignores the followup's own flag).
            flags = (ix.original.get("flags") or 0) & EPHEMERAL
        msg = self._new_message(ix.channel_id, {**body, "flags": flags}, webhook=True)
        self._store(msg)
        ix.followups.append(msg)
        ix.changed.set()
        return _json(msg)

    async def _edit_webhook_message(
        self, request: web.Request, body: Any, app: str, token: str, mid: str
    ) -> web.Response:
        ix = self._interaction(token)
        if ix is None:
            return self._violation(401, 50027, "Invalid Webhook Token", "edit original")
        if mid == "@original":
            msg = ix.original
        else:
            msg = next((m for m in ix.followups if m["id"] == mid), None) or (
                ix.original if ix.original and ix.original["id"] == mid else None
            )
        if msg is None:
            return self._violation(404, 10008, "Unknown Message", "edit original")
        problems = self._message_problems({**msg, **body})
        if problems:
            return self._violation(400, 50035, "; ".join(problems), "edit original")
        self._apply_edit(msg, body)
        msg["flags"] = (msg.get("flags") or 0) & ~128
        ix.changed.set()
        self.message_event.set()
        return _json(msg)

    async def _delete_original(
        self, request: web.Request, body: Any, app: str, token: str
    ) -> web.Response:
        ix = self._interaction(token)
        if ix is None or ix.original is None or ix.original.get("_deleted"):
            return self._violation(404, 10008, "Unknown Message", "delete original")
        ix.original["_deleted"] = True
        channel = self.messages.get(ix.channel_id, [])
        if ix.original in channel:
            channel.remove(ix.original)
        ix.changed.set()
        return web.Response(status=204)

    async def _get_webhook_message(
        self, request: web.Request, body: Any, app: str, token: str, mid: str
    ) -> web.Response:
        ix = self._interaction(token)
        msg = ix.original if ix else None
        if msg is None:
            return _json({"code": 10008, "message": "Unknown Message"}, 404)
        return _json(msg)
