"""Where webhooks may go: public addresses only, unless the operator allows private ones.

A tenant's admin key chooses its webhook URLs, and the service sends to them from inside the
operator's network. Without a guard, a URL naming ``127.0.0.1``, ``10.0.0.5`` or the cloud
metadata address ``169.254.169.254`` would make the service call into that network on a
tenant's behalf, and the delivery log would show the status it got (server-side request
forgery). So, unless ``webhooks_private`` is set (a receiver inside the operator's own network):

- subscribing refuses a URL whose host is such an address or ``localhost`` (a clear 422 at once),
  whatever its spelling: an address is read as ``inet_aton`` and the resolver read it, so
  ``2130706433``, ``0x7f.0.0.1``, ``0177.0.0.1``, ``127.1`` and ``0`` are the loopback and
  "this host" addresses they are; a host that is no valid address or name is refused too;
- every connection the webhook client opens resolves the name itself, refuses if **any** of its
  addresses is not public, and connects to the addresses it checked, in turn
  (:class:`CheckedBackend`, httpcore's network backend). The URL keeps its name: TLS verifies the
  certificate of that name on every request, pooled connections are shared only by requests
  to the same name, and international names and proxies behave as without the guard. A name
  that resolves to a public address when checked and to a private one later (DNS rebinding)
  cannot slip through: the connection goes to the address checked.

Not public: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10, the
metadata address), carrier-grade NAT (100.64/10), the IETF, documentation and benchmarking
ranges, multicast, reserved and unspecified addresses, and IPv6 addresses that carry one of
these IPv4 addresses (IPv4-mapped and -compatible, NAT64 64:ff9b::/96, 6to4, Teredo); the
NAT64 local-use prefix 64:ff9b:1::/48 is refused whole. The list is explicit, beside
:attr:`ipaddress.IPv4Address.is_global`, whose answers vary between Python releases.

With the check on, deliveries connect directly: proxies from the environment (``HTTPS_PROXY``)
are not used, since a proxy resolves names itself, out of the check's reach. With
``webhooks_private`` the client is httpx's default, proxies from the environment included.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

__all__ = ["CheckedBackend", "Egress", "invalid", "refusal"]

Resolver = Callable[..., list[Any]]
MAX_ADDRESSES = 4  # of a name's addresses, the first ones tried
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_BLOCKED = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "100::/64", "64:ff9b:1::/48", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
))
# IPv6 prefixes whose last 32 bits are an IPv4 address: checked as that address
_CARRY_V4 = tuple(ipaddress.ip_network(n) for n in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96"))


def _ipv4_inside(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's address
    if any(address in network for network in _CARRY_V4):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _not_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        inside = _ipv4_inside(address)
        if inside is not None and _not_public(inside):
            return True
    if any(address in network for network in _BLOCKED if network.version == address.version):
        return True
    return not address.is_global or address.is_multicast


# one part of an IPv4 address as inet_aton reads it: hexadecimal, octal (a leading 0), decimal
_IPV4_PART = re.compile(r"0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*")
_NUMERIC = re.compile(r"0x[0-9a-f]*|[0-9]+")
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")


def _ipv4(name: str) -> ipaddress.IPv4Address | None:
    """``name`` read as the C library's ``inet_aton`` (and a URL parser) reads an address:
    ``2130706433``, ``0x7f.0.0.1``, ``0177.0.0.1`` and ``127.1`` are all 127.0.0.1. None if
    ``name`` is not written as numbers; ValueError if it is, out of range."""
    parts = name.split(".")
    if len(parts) > 4 or not all(_IPV4_PART.fullmatch(p) for p in parts):
        return None
    numbers = [int(p[2:] or "0", 16) if p.startswith("0x") else int(p, 8 if p.startswith("0") else 10)
               for p in parts]
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise ValueError(name)
    return ipaddress.IPv4Address(sum(n << 8 * (3 - i) for i, n in enumerate(head)) + last)


def _ascii(host: str) -> str:
    """``host`` as the resolver gets it: lowercase, no final dot, an international name in its
    ASCII form (full-width digits are digits then). UnicodeError if it has none."""
    name = host.lower().rstrip(".")
    return name if name.isascii() else name.encode("idna").decode("ascii").rstrip(".")


def _address(name: str) -> Address | None:
    """The address an ASCII host spells (None: a name); ValueError saying why it spells none."""
    if ":" in name:
        try:
            return ipaddress.IPv6Address(name.split("%")[0])
        except ValueError:
            raise ValueError("is not a valid IPv6 address") from None
    if not _NUMERIC.fullmatch(name.rsplit(".", 1)[-1]):
        return None
    # a name ending in a number is an address (no top-level domain is a number)
    try:
        address = _ipv4(name)
    except ValueError:
        raise ValueError("is not a valid IPv4 address: a part is out of range") from None
    if address is None:
        raise ValueError("is neither an IPv4 address nor a host name")
    return address


def invalid(host: str) -> str | None:
    """Why ``host`` is neither an address nor a host name, or None."""
    try:
        name = _ascii(host)
        if _address(name) is not None:
            return None
    except UnicodeError:
        return f"{host} is not a valid host name"
    except ValueError as exc:
        return f"{host} {exc}"
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        return f"{host} is not a valid host name: letters, digits and hyphens in dot-separated labels"
    return None


def refusal(host: str) -> str | None:
    """Why a URL's host is refused without resolving it, or None: ``localhost``, an address
    that is not public in any of its spellings (``127.0.0.1``, ``2130706433``, ``0x7f.1``,
    ``[::ffff:127.0.0.1]``), or a host that is no valid address or name at all."""
    reason = invalid(host)
    if reason is not None:
        return reason
    name = _ascii(host)
    if name == "localhost" or name.endswith(".localhost"):
        return f"{host} is this machine"
    address = _address(name)
    if address is None or not _not_public(address):
        return None
    shown = f" ({address})" if address.version == 4 and str(address) != host.rstrip(".") else ""
    return f"{host}{shown} is not a public address"


@dataclass(frozen=True)
class Egress:
    """The delivery-time check. ``allow_private`` turns it off; ``resolve`` is
    :func:`socket.getaddrinfo`, replaceable in tests."""

    allow_private: bool = False
    resolve: Resolver = socket.getaddrinfo

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for ``host``, every one of them public; ValueError says
        why not (naming the host and the address, never more of the URL)."""
        reason = refusal(host)
        if reason is not None:
            raise ValueError(f"refused: {reason}")
        try:
            found = self.resolve(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise ValueError(f"cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in found))
        if not addresses:
            raise ValueError(f"cannot resolve {host}: no address")
        for text in addresses:
            if _not_public(ipaddress.ip_address(text)):
                raise ValueError(f"refused: {host} resolves to {text}, not a public address")
        return addresses

    def transport(self) -> httpx.BaseTransport | None:
        """An httpx transport whose connections go through this check; None (httpx's default,
        with proxies from the environment) when private receivers are allowed."""
        return None if self.allow_private else _CheckedTransport(self)


class CheckedBackend(httpcore.NetworkBackend):
    """httpcore's network backend, connecting only to the addresses :meth:`Egress.addresses`
    allows: the check happens when a connection is made, for the address it is made to."""

    def __init__(self, egress: Egress, inner: httpcore.NetworkBackend | None = None) -> None:
        self.egress = egress
        self.inner = inner or httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        try:
            addresses = self.egress.addresses(host, port)
        except ValueError as exc:
            raise httpcore.ConnectError(str(exc)) from None
        # each checked address in turn, as a resolver's list is tried, within one deadline for
        # them all: a name with many dead addresses must not hold a delivery past its lease
        deadline = None if timeout is None else time.monotonic() + timeout
        failed: Exception | None = None
        for address in addresses[:MAX_ADDRESSES]:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            try:
                return self.inner.connect_tcp(address, port, left, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failed = exc
        raise failed or httpcore.ConnectTimeout(f"no answer from {host} within {timeout} s")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("refused: webhooks are not sent to Unix sockets")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _CheckedTransport(httpx.HTTPTransport):
    """httpx's own transport (its request and error mapping), over a connection pool built with
    :class:`CheckedBackend` through httpcore's public API. httpx keeps its pool in ``_pool``;
    a release that does otherwise makes this refuse to start rather than send unchecked."""

    def __init__(self, egress: Egress) -> None:
        super().__init__()
        if type(getattr(self, "_pool", None)) is not httpcore.ConnectionPool:
            raise RuntimeError("this httpx release builds its transport differently: webhooks would go unchecked")
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), max_connections=100, max_keepalive_connections=20,
            keepalive_expiry=5.0, network_backend=CheckedBackend(egress))
