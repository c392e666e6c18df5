"""uvicorn's h11 protocol with a deadline for each request's head (slow-header attacks).

uvicorn times out a kept-alive connection that sends nothing, but not one that sends a request
line and then its headers a byte a minute: each such connection holds a file descriptor and a
place in the server for as long as the client likes, and a few hundred of them starve a worker
(the "slowloris" attack). :class:`GuardedH11Protocol` gives every request's line and headers
``head_timeout`` seconds, counted from the connection's opening, or on a kept-alive connection
from the first byte of the next head (the idle time before it is uvicorn's keep-alive timeout,
5 s), then closes the connection. A body is not its business: the service's time budget per
request (``time_budget``) ends a slow body. A connection upgraded to another protocol (a
WebSocket) is that protocol's from then on.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["GuardedH11Protocol"]

log = logging.getLogger("syncdoctor.service")


class GuardedH11Protocol(H11Protocol):
    """:class:`H11Protocol`, closing a connection whose request head takes over ``head_timeout`` s."""

    def __init__(self, *args: Any, head_timeout: float = 10.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout = head_timeout
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.get_protocol() is not self:  # upgraded (a WebSocket): no longer ours
            self._disarm()
        elif self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # a request's head arrived: it is being answered
        else:
            self._arm()  # waiting for (the rest of) a head

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # idle now: uvicorn's keep-alive timeout takes over until data arrives

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._head_timer is None and not self.transport.is_closing():
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            log.info("closed a connection from %s: no complete request head in %s s",
                     self.client[0] if self.client else "?", self.head_timeout)
            self.transport.close()
