"""Sign-in attempts per client address: after a few failures, the address waits.

Keys are 256 random bits, so guessing one is not a practical attack; the limit keeps a script
from hammering the key store and the logs, and makes a burst of failures visible (each one is
logged with its address). An attempt is counted when it starts, before the key is checked, so
concurrent attempts cannot all get through; a good key takes its own attempt back, and only
that one, so good keys between bad ones do not reset the count. IPv6 addresses count per /64
(one host usually holds the whole block). At most :data:`TRACKED` addresses are remembered,
the least recently seen forgotten first.

The count is per process: with ``serve --workers N`` an address gets up to N times the limit.
Behind a reverse proxy, the address must be the client's, not the proxy's, or a burst from one
client makes everyone wait: uvicorn reads ``X-Forwarded-For`` from the addresses in its
``FORWARDED_ALLOW_IPS`` environment variable (default ``127.0.0.1``); set it to the proxy's
address (never ``*``, which lets any client write its own address).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

__all__ = ["TRACKED", "SignInAttempts"]

TRACKED = 10_000


def _key(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


class SignInAttempts:
    """At most ``limit`` failed (or still running) sign-ins per address within ``window`` s."""

    def __init__(self, limit: int = 10, window: float = 300.0, clock: Callable[[], float] = time.monotonic,
                 tracked: int = TRACKED) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.tracked = tracked
        self._attempts: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, address: str) -> float:
        """Count an attempt from ``address``; 0 when it may go on, else the seconds to wait
        (the attempt is then not counted)."""
        key, now = _key(address), self.clock()
        with self._lock:
            attempts = self._attempts.get(key)
            if attempts is None:
                attempts = self._attempts[key] = deque(maxlen=self.limit)
                if len(self._attempts) > self.tracked:
                    self._attempts.popitem(last=False)
            self._attempts.move_to_end(key)
            while attempts and attempts[0] <= now - self.window:
                attempts.popleft()
            if len(attempts) >= self.limit:
                return max(0.001, attempts[0] + self.window - now)
            attempts.append(now)
            return 0.0

    def succeeded(self, address: str) -> None:
        """The attempt was a good key: it is taken back (the others stay counted)."""
        with self._lock:
            attempts = self._attempts.get(_key(address))
            if attempts:
                attempts.pop()
