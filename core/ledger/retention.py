"""Retention on a schedule: the service prunes old occurrences by itself.

``syncdoctor ledger prune`` does it from cron; a service started with ``ledger_retention_days``
runs :class:`Pruner` too, so the setting holds without a cron job. Every replica may run one:
deleting what is already deleted is a no-op, and each tenant is its own short transaction.
"""

from __future__ import annotations

import logging
import random
import threading
from typing import Any

__all__ = ["Pruner"]

log = logging.getLogger("syncdoctor.ledger")


class Pruner:
    """Calls ``ledger.prune()`` every ``interval`` seconds (the first time after a random part of
    it, so replicas started together do not prune together) in a daemon thread."""

    def __init__(self, ledger: Any, interval: float = 3600.0) -> None:
        self.ledger = ledger
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="syncdoctor-retention", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        wait = random.uniform(0.1, 1.0) * self.interval
        while not self._stop.wait(wait):
            try:
                removed = self.ledger.prune()
                self.runs += 1
                if removed:
                    log.info("retention: %d occurrences pruned", removed)
            except Exception:  # the database may be restarting: try again next time
                log.exception("retention: pruning failed")
            wait = self.interval
