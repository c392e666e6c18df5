"""Where webhooks may go: public addresses only, unless the operator allows private ones.

A tenant's admin key chooses its webhook URLs, and the service sends to them from inside the
operator's network. Without a guard, a URL naming ``127.0.0.1``, ``10.0.0.5`` or the cloud
metadata address ``169.254.169.254`` would make the service call into that network on a
tenant's behalf, and the delivery log would show the status it got (server-side request
forgery). So, unless ``webhooks_private`` is set (a receiver inside the operator's own network):

- subscribing refuses a URL whose host is such an address or ``localhost`` (a clear 422 at once);
- every delivery resolves the host, refuses if **any** of its addresses is not a public one, and
  connects to the address it checked: the request goes to that IP, with the name kept in the
  ``Host`` header and as the TLS server name (certificates are still verified against the
  name). A name that resolves to a public address when checked and to a private one when
  connecting (DNS rebinding) therefore cannot slip through.

Not public: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10, the
metadata address), carrier-grade NAT (100.64/10), multicast, reserved and unspecified
addresses, and IPv4 addresses written as IPv6 (``::ffff:127.0.0.1``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = ["Egress", "Pinned", "refusal"]

Resolver = Callable[..., list[Any]]


def _not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
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
class Pinned:
    """A request's target after the check: the URL to connect to, and what keeps the name."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Egress:
    """The delivery-time check. ``allow_private`` turns it off (URLs are used as they are);
    ``resolve`` is :func:`socket.getaddrinfo`, replaceable in tests."""

    allow_private: bool = False
    resolve: Resolver = socket.getaddrinfo

    def pin(self, url: str) -> Pinned:
        """The URL to send to, pinned to a checked address; ValueError says why not (the
        message names the host and the address, never more of the URL)."""
        if self.allow_private:
            return Pinned(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        reason = refusal(host)
        if reason is not None:
            raise ValueError(f"refused: {reason}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
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
        first = ipaddress.ip_address(addresses[0])
        netloc = f"[{first}]" if first.version == 6 else str(first)
        if parts.port is not None:
            netloc += f":{parts.port}"
        name = f"[{host}]" if ":" in host else host
        if parts.port is not None:
            name += f":{parts.port}"
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        return Pinned(urlunsplit(parts._replace(netloc=netloc)), {"Host": name}, extensions)
