"""Failed sign-ins per client address: after a few, the address waits before trying again.

Keys are 256 random bits, so guessing one is not a practical attack; the limit keeps a script
from hammering the key store and the logs, and makes a burst of failures visible (each one is
logged with its address). It counts in the process that answered: with ``serve --workers N``
an address gets up to N times the limit. Behind a reverse proxy, run the service with
``--forwarded-allow-ips`` (uvicorn) so that the address is the client's, not the proxy's.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["FailedSignIns"]


class FailedSignIns:
    """At most ``limit`` failed sign-ins per address within ``window`` seconds."""

    def __init__(self, limit: int = 10, window: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, address: str) -> float:
        """Seconds before ``address`` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            failures = self._recent(address, now)
            if failures is None or len(failures) < self.limit:
                return 0.0
            return max(0.0, failures[0] + self.window - now)

    def failed(self, address: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= 10_000:  # bounded, whatever the traffic: forget the quiet ones
                self._failures = {a: f for a, f in self._failures.items() if f and f[-1] > now - self.window}
            failures = self._failures.setdefault(address, deque(maxlen=self.limit))
            failures.append(now)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)

    def _recent(self, address: str, now: float) -> deque[float] | None:
        failures = self._failures.get(address)
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures
