"""The SSRF guard: which URLs, hosts and addresses a feed may be fetched from.

Three layers, each seeing what the next step really uses:

1. :meth:`HostGuard.check_url` on every hop (the URL given and every redirect target):
   only ``http``/``https``, no credentials in the URL, and the host *as the connector will
   use it* (yarl's UTS-46 mapping: ``１２７.０.０.１`` and ``127。0。0。1`` are ``127.0.0.1``)
   checked on our own terms too (NFKC + the ideographic full stops), so neither yarl's nor
   aiohttp's parsing decides. A numeric host must be a canonical dotted quad: ``2130706433``,
   ``127.1``, ``0177.0.0.1``, ``0x7f.0.0.1`` and ``0`` are refused, whatever getaddrinfo
   would make of them. IP literals are checked here by address.
2. :class:`GuardedResolver` for names: the system resolver's answers are filtered, and the
   connector connects only to what it returns.
3. :meth:`HostGuard.socket_factory` at connect time: every address a socket is opened to
   (IP literals included, which aiohttp connects to without calling the resolver) is
   checked once more.

An address is refused by the first rule that matches (the message names it): cloud
metadata, unspecified (``0.0.0.0/8``, ``::``), loopback, link-local, multicast, private
(RFC 1918, ULA, shared 100.64/10, documentation), reserved, or anything else not public.
IPv4 addresses carried in IPv6 (IPv4-mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``,
6to4, Teredo) are judged by the IPv4 address. ``BEATWATCH_ALLOW_PRIVATE_HOSTS`` lifts the
loopback and private rules only.
"""

from __future__ import annotations

import ipaddress
import socket
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from bot.errors import BeatwatchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOW_HINT = "set BEATWATCH_ALLOW_PRIVATE_HOSTS=true to allow feeds on loopback/private networks"
LIFTABLE = frozenset({"loopback", "private"})  # the rules BEATWATCH_ALLOW_PRIVATE_HOSTS lifts

METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "100.100.100.200",
        "168.63.129.16",
        "fd00:ec2::254",
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
SHARED = ipaddress.ip_network("100.64.0.0/10")
THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


class GuardError(BeatwatchError):
    """A URL or address the guard refuses; ``kind`` is ``bad_url`` or ``blocked``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class BlockedAddressError(OSError):
    """Raised inside aiohttp's connect path (resolver, socket factory) for refused addresses."""


def redact_url(url: str) -> str:
    """``url`` without a user name or password (for anything shown or logged)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.rsplit("@", 1)[-1] if "@" in url else url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _embedded_v4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "IPv4-mapped"
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    if ip.sixtofour is not None:
        return ip.sixtofour, "6to4"
    if ip.teredo is not None:
        return ip.teredo[1], "Teredo"
    return None


def address_rule(ip: IPAddress) -> tuple[str | None, str]:
    """``(rule, note)``: the rule that refuses ``ip`` (None for a public address) and, for an
    IPv4 address carried in IPv6, a note naming it ("IPv4-mapped 127.0.0.1")."""
    note = ""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "link-local", note
        embedded = _embedded_v4(ip)
        if embedded is not None:
            ip, how = embedded
            note = f"{how} {ip}"
        elif ip in NAT64_LOCAL:
            return "private", "local-use NAT64"
    if ip in METADATA:
        return "cloud metadata", note
    if ip.is_unspecified or (isinstance(ip, ipaddress.IPv4Address) and ip in THIS_NETWORK):
        return "unspecified", note
    if ip.is_loopback:
        return "loopback", note
    if ip.is_link_local:
        return "link-local", note
    if ip.is_multicast:
        return "multicast", note
    if ip.is_private or (isinstance(ip, ipaddress.IPv4Address) and ip in SHARED):
        return "private", note
    if ip.is_reserved:
        return "reserved", note
    if not ip.is_global:
        return "non-public", note
    return None, note


def forbidden_reason(ip_text: str) -> str | None:
    """Why connecting to ``ip_text`` is refused (the rule), or None for a public address."""
    try:
        ip = ipaddress.ip_address(ip_text)
    except ValueError:
        return "not an IP address"
    return address_rule(ip)[0]


def _mapped_host(host: str) -> str:
    """The host as a UTS-46 mapper sees it, for the numeric test: NFKC, the three full stops
    IDNA treats as dots, lower case. (Independent of yarl's IDNA code.)"""
    return unicodedata.normalize("NFKC", host).translate(_DOTS).lower()


def _looks_numeric(host: str) -> bool:
    """True when a URL parser or getaddrinfo may read ``host`` as an IPv4 address: its last
    label (a trailing dot aside) is a number, decimal or 0x-hex (the WHATWG rule)."""
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()
    last = labels[-1]
    if last.isascii() and last.isdigit():
        return True
    low = last.lower()
    return low.startswith("0x") and all(c in "0123456789abcdef" for c in low[2:])


def _canonical_ipv4(host: str) -> bool:
    parts = host.split(".")
    return len(parts) == 4 and all(
        p.isascii() and p.isdigit() and len(p) <= 3 and (p == "0" or not p.startswith("0"))
        and int(p) <= 255
        for p in parts
    )  # fmt: skip


@dataclass(frozen=True)
class HostGuard:
    """Which addresses a feed may live on.

    ``public_override`` holds IPs treated as public anyway (tests run a "public" server on
    127.0.0.1 while still checking that redirects to 10.0.0.1 are refused).
    """

    allow_private: bool = False
    public_override: frozenset[str] = frozenset()

    def check_ip(self, ip_text: str, host: str | None = None) -> None:
        """Raise :class:`GuardError` unless ``ip_text`` may be connected to."""
        try:
            ip = ipaddress.ip_address(ip_text)
        except ValueError:
            raise GuardError("blocked", f"refused: {ip_text!r} is not an IP address") from None
        if str(ip) in self.public_override:
            return
        rule, note = address_rule(ip)
        if rule is None or (self.allow_private and rule in LIFTABLE):
            return
        shown = str(ip) if host is None else host
        details = [str(ip)] if shown.strip("[]") != str(ip) else []
        details += [note] if note else []
        article = "an" if rule[0] in "aeiou" else "a"
        message = f"refused: {shown} is {article} {rule} address"
        message += f" ({', '.join(details)})" if details else ""
        if rule in LIFTABLE:
            message += f"; {ALLOW_HINT}"
        raise GuardError("blocked", message)

    def check_url(self, url: str | URL) -> URL:
        """The URL to request, checked: scheme, no credentials, canonical IP literals and
        their addresses. Names are checked after DNS by :class:`GuardedResolver`."""
        text = str(url)
        try:
            parts = urlsplit(text)
            target = url if isinstance(url, URL) else URL(text)
            _ = target.port
        except (ValueError, TypeError) as exc:
            detail = "" if "@" in text else f": {exc}"
            raise GuardError("bad_url", f"not a valid URL{detail}") from exc
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise GuardError("bad_url", f"only http and https URLs are allowed, not {scheme!r}")
        if "@" in parts.netloc or target.user is not None or target.password is not None:
            raise GuardError(
                "bad_url",
                "refused: the URL holds a user name or password; feeds with credentials "
                "in the URL are not supported (they would be shown and logged)",
            )
        host = target.raw_host
        written = parts.hostname
        if not host or not written:
            raise GuardError("bad_url", "no host in the URL")
        if ":" in host:  # an IPv6 literal
            if "%" in host:
                raise GuardError("blocked", f"refused: [{host}] has a zone index (link-local)")
            try:
                ip = ipaddress.IPv6Address(host)
            except ValueError:
                raise GuardError("bad_url", f"not a valid IPv6 address: {host}") from None
            self.check_ip(str(ip), f"[{written}]")
            return target
        if "%" in host:
            raise GuardError("bad_url", f"not a valid host name: {written!r}")
        numeric = any(_looks_numeric(h) for h in (host, _mapped_host(written), written))
        if numeric and not (_canonical_ipv4(written) and host == written):
            raise GuardError(
                "blocked",
                f"refused: {written!r} is not a canonical IP address "
                "(a numeric host must be written as four decimal numbers, a.b.c.d)",
            )
        if _canonical_ipv4(host):
            self.check_ip(host)
            return target
        name = host.rstrip(".")
        if name == "localhost" or name.endswith(".localhost"):
            if not self.allow_private and "127.0.0.1" not in self.public_override:
                raise GuardError("blocked", f"refused: {name} is a loopback address; {ALLOW_HINT}")
        return target

    def socket_factory(self, addr_info: Any) -> socket.socket:
        """aiohttp's ``socket_factory``: the last check, on the address connected to."""
        family, type_, proto, _, sockaddr = addr_info
        address = str(sockaddr[0])
        if len(sockaddr) >= 4 and sockaddr[3]:  # an IPv6 scope id: link-local by definition
            address = f"{address.split('%', 1)[0]}%{sockaddr[3]}"
        try:
            self.check_ip(address)
        except GuardError as exc:
            raise BlockedAddressError(str(exc)) from None
        return socket.socket(family=family, type=type_, proto=proto)


class GuardedResolver(AbstractResolver):
    """Resolves with the system resolver, then drops forbidden addresses.

    aiohttp connects only to what this returns, so the checked address is the connected one.
    """

    def __init__(self, guard: HostGuard, inner: AbstractResolver | None = None) -> None:
        self._guard = guard
        self._inner = inner or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        allowed: list[ResolveResult] = []
        refused: list[str] = []
        for result in results:
            try:
                self._guard.check_ip(result["host"], host)
            except GuardError as exc:
                refused.append(str(exc))
                continue
            allowed.append(result)
        if not allowed:
            raise BlockedAddressError(refused[0] if refused else f"{host} did not resolve")
        return allowed

    async def close(self) -> None:
        await self._inner.close()
