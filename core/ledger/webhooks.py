"""Webhook subscriptions, the outbox, and the signature a receiver checks.

A change that deserves a notification (an issue opened, regressed, resolved, muted or
escalated) writes one outbox row per matching subscription **in the same transaction as the
change**, with one ``INSERT ... SELECT`` over the tenant's subscriptions: the notification
exists if and only if the change does, and nothing is sent from the request path, so a slow or
dead receiver cannot slow the intake. :mod:`.delivery` sends the rows.

Every delivery is signed: ``Syncdoctor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<body>" with the subscription's secret>``. Receivers recompute it, refuse old timestamps
(replays), and dedupe by the event id (``Syncdoctor-Event-Id``, also ``id`` in the body):
delivery is at least once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import JSON, Integer, String, bindparam, literal
from sqlalchemy.engine import Row

from ..errors import SubscriptionNotFound
from .egress import invalid, refusal
from .recording import new_id
from .schema import UTCDateTime, webhook_deliveries, webhook_outbox, webhook_subscriptions
from .scope import TenantScope

__all__ = [
    "EVENT_TYPES",
    "SIGNATURE_HEADER",
    "Subscription",
    "create_subscription",
    "delete_subscription",
    "enqueue",
    "list_subscriptions",
    "sign",
    "verify",
]

EVENT_TYPES = ("issue.opened", "issue.regressed", "issue.resolved", "issue.muted", "issue.escalated")
SIGNATURE_HEADER = "Syncdoctor-Signature"
EVENT_ID_HEADER = "Syncdoctor-Event-Id"
EVENT_TYPE_HEADER = "Syncdoctor-Event-Type"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``Syncdoctor-Signature`` header value for ``body``."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = 300, now: float | None = None) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds of now."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        t = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    events: tuple[str, ...]
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "events": list(self.events),
                "created_at": self.created_at.isoformat()}


def _events_text(events: Iterable[str]) -> str:
    return "," + ",".join(sorted(set(events))) + ","


def _subscription(row: Row[Any]) -> Subscription:
    return Subscription(row.id, row.url, tuple(e for e in row.events.split(",") if e), row.created_at)


def check_url(url: str, allow_private: bool = False) -> str:
    """``url`` if deliveries may go there; else ValueError saying why (a 422 when subscribing)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("a webhook url is an absolute http:// or https:// URL")
    if parts.username or parts.password:
        raise ValueError("a webhook url carries no credentials; the signature authenticates us to you")
    host = parts.hostname
    malformed = invalid(host)
    if malformed is not None:
        raise ValueError(f"a webhook url names a valid host ({malformed})")
    reason = None if allow_private else refusal(host)
    if reason is not None:
        raise ValueError(f"a webhook url must reach a public address ({reason}); an operator may allow "
                         "receivers inside their network with the webhooks_private setting")
    try:  # the sender's own reading: a URL httpx refuses could never be delivered
        httpx.URL(url).raw_host.decode("ascii")
        parts.port  # noqa: B018 - raises ValueError when out of range
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise ValueError(f"a webhook url is one the sender can send to ({exc})") from None
    return url


def create_subscription(scope: TenantScope, url: str, events: Iterable[str] | None, secret: str | None,
                        now: datetime, allow_private: bool = False) -> tuple[Subscription, str]:
    """A new subscription and its signing secret (generated unless given; shown once)."""
    chosen = list(events) if events is not None else list(EVENT_TYPES)
    unknown = sorted(set(chosen) - set(EVENT_TYPES))
    if unknown or not chosen:
        raise ValueError(f"events must be some of {', '.join(EVENT_TYPES)}" + (f"; unknown: {', '.join(unknown)}"
                                                                             if unknown else ""))
    if secret is not None and len(secret) < 16:
        raise ValueError("a webhook secret has at least 16 characters")
    secret = secret or "whsec_" + secrets.token_urlsafe(32)
    subscription_id = new_id("whk")
    scope.execute(scope.insert(webhook_subscriptions, {
        "id": subscription_id, "url": check_url(url, allow_private), "secret": secret, "events": _events_text(chosen),
        "created_at": now,
    }))
    return Subscription(subscription_id, url, tuple(sorted(set(chosen))), now), secret


def list_subscriptions(scope: TenantScope) -> list[Subscription]:
    query = (scope.select(webhook_subscriptions).where(webhook_subscriptions.c.deleted_at.is_(None))
             .order_by(webhook_subscriptions.c.created_at, webhook_subscriptions.c.id))
    return [_subscription(r) for r in scope.execute(query)]


def delete_subscription(scope: TenantScope, subscription_id: str, now: datetime) -> None:
    """Stop a subscription: nothing new is queued for it; what is queued is dropped."""
    done = scope.execute(
        scope.update(webhook_subscriptions)
        .where(webhook_subscriptions.c.id == subscription_id, webhook_subscriptions.c.deleted_at.is_(None))
        .values(deleted_at=now)
    )
    if done.rowcount != 1:
        raise SubscriptionNotFound(subscription_id)
    scope.execute(
        scope.update(webhook_outbox)
        .where(webhook_outbox.c.subscription_id == subscription_id, webhook_outbox.c.state == "pending")
        .values(state="dead", last_error="the subscription was deleted")
    )


def _enqueue_statement(scope: TenantScope) -> Any:
    subs = webhook_subscriptions.c
    rows = scope.select(
        webhook_subscriptions,
        bindparam("event_id", type_=String()),
        subs.id,
        bindparam("event_type", type_=String()),
        bindparam("payload", type_=JSON()),
        bindparam("now", type_=UTCDateTime()),
        literal("pending"),
        literal(0, type_=Integer),
        bindparam("due", type_=UTCDateTime()),
    ).where(subs.deleted_at.is_(None), subs.events.like(bindparam("pattern", type_=String())))
    columns = ["event_id", "subscription_id", "event_type", "payload", "created_at", "state", "attempts",
               "next_attempt_at"]
    return scope.insert_from_select(webhook_outbox, columns, rows)


def enqueue(scope: TenantScope, event_type: str, issue: dict[str, Any], now: datetime) -> str:
    """Queue ``event_type`` about ``issue`` for every subscription that wants it; the event id."""
    event_id = "evt_" + uuid.uuid4().hex
    payload = {"id": event_id, "type": event_type, "created_at": now.isoformat(), "data": {"issue": issue}}
    scope.execute(scope.cached("enqueue", _enqueue_statement), {
        "event_id": event_id, "event_type": event_type, "payload": payload, "now": now, "due": now,
        "pattern": f"%,{event_type},%",
    })
    return event_id


_OUTBOX_COLUMNS = ("event_id", "subscription_id", "event_type", "payload", "created_at", "state", "attempts",
                   "next_attempt_at")


def enqueue_many(scope: TenantScope, notices: Sequence[tuple[str, dict[str, Any]]], now: datetime) -> None:
    """Queue many ``(event type, issue)`` notices for the subscriptions that want each: one read
    of the tenant's subscriptions, one insert, in the caller's transaction."""
    if not notices:
        return
    subs = webhook_subscriptions.c
    wanted = scope.execute(scope.cached("live_subscriptions", lambda s: s.select(
        webhook_subscriptions, subs.id, subs.events).where(subs.deleted_at.is_(None)))).all()
    if not wanted:
        return
    rows = []
    for event_type, issue in notices:
        event_id = "evt_" + uuid.uuid4().hex
        payload = {"id": event_id, "type": event_type, "created_at": now.isoformat(), "data": {"issue": issue}}
        for sub in wanted:
            if f",{event_type}," in sub.events:
                rows.append({"event_id": event_id, "subscription_id": sub.id, "event_type": event_type,
                             "payload": payload, "created_at": now, "state": "pending", "attempts": 0,
                             "next_attempt_at": now})
    if rows:
        statement = scope.cached("outbox_insert",
                                 lambda s: s.insert(webhook_outbox, {c: bindparam(c) for c in _OUTBOX_COLUMNS}))
        scope.execute_many(statement, rows)


def deliveries(scope: TenantScope, subscription_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """The delivery log of a subscription, newest first: each attempt and its outcome."""
    found = scope.execute(scope.select(webhook_subscriptions, webhook_subscriptions.c.id)
                          .where(webhook_subscriptions.c.id == subscription_id)).first()
    if found is None:
        raise SubscriptionNotFound(subscription_id)
    d, o = webhook_deliveries.c, webhook_outbox.c
    query = (
        scope.select(webhook_deliveries, d.at, d.attempt, d.status_code, d.error, d.duration_ms, o.event_id,
                     o.event_type, o.state)
        .join(webhook_outbox, webhook_outbox.c.id == d.outbox_id)
        .where(o.subscription_id == subscription_id)
        .order_by(d.id.desc())
        .limit(limit)
    )
    return [
        {"at": r.at.isoformat(), "event_id": r.event_id, "type": r.event_type, "attempt": r.attempt,
         "status_code": r.status_code, "error": r.error, "duration_ms": r.duration_ms, "state": r.state}
        for r in scope.execute(query)
    ]

