"""Where webhooks may go: public addresses only, unless the operator allows private ones.

A tenant's admin key chooses its webhook URLs, and the service sends to them from inside the
operator's network. Without a guard, a URL naming ``127.0.0.1``, ``10.0.0.5`` or the cloud
metadata address ``169.254.169.254`` would make the service call into that network on a
tenant's behalf, and the delivery log would show the status it got (server-side request
forgery). So, unless ``webhooks_private`` is set (a receiver inside the operator's own network):

- subscribing refuses a URL whose host is such an address or ``localhost`` (a clear 422 at once);
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
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

__all__ = ["CheckedBackend", "Egress", "refusal"]

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


def refusal(host: str) -> str | None:
    """Why a URL's host is refused without resolving it (an address or ``localhost``), or None."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return f"{host} is this machine"
    try:
        address = ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return None
    return f"{host} is not a public address" if _not_public(address) else None


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
