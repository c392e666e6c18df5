"""Sending the webhook outbox: a background worker, safe to run in every replica at once.

Each round claims due rows in one statement: ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE
SKIP LOCKED LIMIT n) RETURNING`` on PostgreSQL, so replicas never claim the same row and never
wait for each other; on SQLite the same UPDATE runs inside ``BEGIN IMMEDIATE``, which makes it
atomic across processes. A claim is a lease (``claimed_until``): a worker that dies mid-delivery
leaves rows that another claims again when the lease ends, hence *at least once*, and the
receiver dedupes by event id.

A failed delivery (no answer, a timeout, any status but 2xx, a URL the client refuses, or any
other error while delivering) is retried with exponential backoff and jitter (``Retry-After``
is honoured when longer), up to ``max_attempts``, then the row is ``dead``. Every attempt is
written to the delivery log with a short reason (never a header, a URL's path or a
credential). Deliveries run on a small thread pool of their own: a slow or dead receiver
holds one of those threads for at most ``timeout`` seconds and never touches the intake path,
which only writes outbox rows.

The claim reads the outbox of every tenant (the worker serves them all and answers no one's
request): it is :func:`~.scope.claim_due_outbox`, kept next to the tenant scope; each row's
updates then go through the row's own :class:`TenantScope`.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from sqlalchemy.engine import Row

from syncdoctor import __version__

from .database import Database
from .egress import Egress
from .redact import redact
from .schema import webhook_deliveries, webhook_outbox, webhook_subscriptions
from .scope import TenantScope, any_due_outbox, claim_due_outbox
from .webhooks import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, sign

__all__ = ["WebhookDelivery"]

log = logging.getLogger("syncdoctor.webhooks")
_OUTCOMES = {"pending": "failed"}  # an attempt's outcome, named from the row's state after it


class WebhookDelivery:
    """The outbox's sender. ``start()`` runs it in a daemon thread; ``run_once()`` does one round."""

    def __init__(
        self,
        db: Database,
        *,
        concurrency: int = 4,
        poll_interval: float = 0.5,
        timeout: float = 10.0,
        max_attempts: int = 10,
        base_delay: float = 5.0,
        max_delay: float = 3600.0,
        lease: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        on_attempt: Callable[[str], None] | None = None,
        egress: Egress | None = None,
    ) -> None:
        """``on_attempt(outcome)`` is called after each attempt with ``delivered``, ``failed``
        (to be retried) or ``dead`` (failed for the last time, or given up) — the service counts
        them in its metrics (``syncdoctor_webhook_deliveries_total``). ``egress`` checks
        where a delivery may go (:mod:`.egress`: public addresses only, by default)."""
        self.db = db
        self.egress = egress or Egress()
        self.on_attempt = on_attempt
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.lease = max(lease, timeout * 2)  # a lease outlives the slowest attempt
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport or self.egress.transport(),
                                   headers={"User-Agent": f"syncdoctor-webhooks/{__version__}"})
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="syncdoctor-webhook")
        self._busy = threading.Semaphore(concurrency)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"WebhookDelivery({self.db!r})"

    # ------------------------------------------------------------------ running

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="syncdoctor-webhooks", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop claiming; wait up to ``timeout`` seconds for deliveries in flight (an unfinished
        one is claimed again by a worker when its lease ends)."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        for _ in range(self.concurrency):  # every slot back: nothing in flight
            if not self._busy.acquire(timeout=max(0.0, deadline - time.monotonic())):
                break
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                claimed = self._round(wait=False)
            except Exception:  # the database may be restarting: log, wait, try again
                log.exception("webhook delivery round failed")
                claimed = 0
            if not claimed:
                self._stop.wait(self.poll_interval)

    def run_once(self) -> int:
        """Claim what is due, deliver it, wait for the answers; how many rows were tried."""
        return self._round(wait=True)

    def _round(self, wait: bool) -> int:
        free = 0
        while free < self.concurrency and self._busy.acquire(blocking=False):
            free += 1
        if not free:
            time.sleep(0.01)
            return 0
        try:
            rows = self._claim(free)
        except Exception:
            for _ in range(free):
                self._busy.release()
            raise
        for _ in range(free - len(rows)):
            self._busy.release()
        futures = [self._pool.submit(self._deliver_and_release, row) for row in rows]
        if wait:
            for future in futures:
                future.result()
        return len(rows)

    def _deliver_and_release(self, row: Row[Any]) -> None:
        try:
            self._deliver(row)
        except Exception as exc:
            # anything else that goes wrong is a failed attempt too: logged once, in the delivery
            # log, retried, then dead (left "delivering", the row would be claimed forever). The
            # log says the reason and where, not the exception's own words: they may hold the URL
            reason = _reason(exc)
            log.error("webhook delivery failed", extra={"event_id": row.event_id, "attempt": row.attempts,
                                                        "reason": reason,
                                                        "where": "".join(traceback.format_tb(exc.__traceback__))})
            try:
                self._failed(row, None, reason, 0, None)
            except Exception:  # the database is away: the lease ends and the row is claimed again
                log.warning("webhook delivery attempt not written down", exc_info=True,
                            extra={"event_id": row.event_id, "attempt": row.attempts})
        finally:
            self._busy.release()

    # ------------------------------------------------------------------ claiming

    def _claim(self, limit: int) -> list[Row[Any]]:
        now = datetime.now(UTC)
        with self.db.connect(readonly=True) as conn:
            if not any_due_outbox(conn, now):
                return []
        with self.db.connect() as conn:
            return claim_due_outbox(conn, limit, now, timedelta(seconds=self.lease))

    # ------------------------------------------------------------------ delivering

    def _deliver(self, row: Row[Any]) -> None:
        if row.attempts > self.max_attempts:  # claimed again after its last attempt (a worker died)
            self._settle(row, "dead", None, f"no answer written down after {self.max_attempts} attempts", 0, None)
            return
        with self.db.connect(readonly=True) as conn:
            scope = TenantScope(conn, row.tenant)
            sub = scope.execute(scope.select(webhook_subscriptions)
                                .where(webhook_subscriptions.c.id == row.subscription_id)).first()
        if sub is None or sub.deleted_at is not None:
            self._settle(row, "dead", None, "the subscription was deleted", 0, None)
            return
        body = json.dumps(row.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(sub.secret, body),
            EVENT_ID_HEADER: row.event_id,
            EVENT_TYPE_HEADER: row.event_type,
            "Syncdoctor-Delivery-Attempt": str(row.attempts),
        }
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        retry_after: float | None = None
        try:
            # a refused or unresolvable address (egress.py) is a ConnectError: a failed attempt,
            # retried, in the delivery log
            response = self.client.post(sub.url, content=body, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
                retry_after = _retry_after(response.headers.get("retry-after"))
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL: a URL httpx refuses (0177.0.0.1)
            error = _reason(exc)
        elapsed = int((time.perf_counter() - started) * 1000)
        if error is None:
            self._settle(row, "delivered", status, None, elapsed, None)
        else:
            self._failed(row, status, error, elapsed, retry_after)

    def _failed(self, row: Row[Any], status: int | None, error: str, elapsed_ms: int,
                retry_after: float | None) -> None:
        """A failed attempt: retried after a backoff, or dead after the last one."""
        if row.attempts >= self.max_attempts:
            self._settle(row, "dead", status, error, elapsed_ms, None)
        else:
            delay = min(self.max_delay, self.base_delay * 2 ** (row.attempts - 1)) * random.uniform(0.8, 1.2)
            self._settle(row, "pending", status, error, elapsed_ms, max(delay, retry_after or 0.0))

    def _settle(self, row: Row[Any], state: str, status: int | None, error: str | None, elapsed_ms: int,
                delay: float | None) -> None:
        now = datetime.now(UTC)
        values: dict[str, Any] = {"state": state, "claimed_until": None, "last_error": error}
        if state == "delivered":
            values["delivered_at"] = now
        if delay is not None:
            values["next_attempt_at"] = now + timedelta(seconds=delay)
        with self.db.connect() as conn:
            scope = TenantScope(conn, row.tenant)
            # only if the lease is still ours: a worker that lost it must not undo another's work
            scope.execute(
                scope.update(webhook_outbox)
                .where(webhook_outbox.c.id == row.id, webhook_outbox.c.state == "delivering",
                       webhook_outbox.c.attempts == row.attempts)
                .values(**values)
            )
            scope.execute(scope.insert(webhook_deliveries, {
                "outbox_id": row.id, "attempt": row.attempts, "at": now, "status_code": status, "error": error,
                "duration_ms": elapsed_ms,
            }))
        log.info("webhook %s", state, extra={"event_id": row.event_id, "attempt": row.attempts, "status": status})
        if self.on_attempt is not None:
            try:  # a failing counter must not turn a written-down attempt into another one
                self.on_attempt(_OUTCOMES.get(state, state))
            except Exception:
                log.exception("webhook on_attempt failed")


_URL = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s?#'\"]+)[^\s'\"]*")


def _reason(exc: BaseException) -> str:
    """What the delivery log says of a failed attempt: the exception's type and first line,
    short. Headers are never in it (the signature stays out of the log); a URL keeps only its
    scheme and host (a receiver's path or query may carry its own token); credentials in the
    rest are redacted like a stored report."""
    lines = str(exc).strip().splitlines()
    text = _URL.sub(r"\1/…", lines[0] if lines else "")
    return f"{type(exc).__name__}: {redact(text)}"[:300] if text else type(exc).__name__


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
