"""Webhooks: signed, at least once, retried with backoff, logged, never in the intake's way."""

from __future__ import annotations

import logging
import socket
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from syncdoctor.ledger import Database, SubscriptionNotFound
from syncdoctor.ledger.delivery import WebhookDelivery
from syncdoctor.ledger.egress import Egress
from syncdoctor.ledger.ledger import Ledger
from syncdoctor.ledger.schema import webhook_deliveries, webhook_outbox, webhook_subscriptions
from syncdoctor.ledger.webhooks import sign, verify

from .helpers import STALE, accepted, rejected
from .receiver import Receiver, signature_ok

LOOPBACK = Egress(allow_private=True)  # the receivers listen on 127.0.0.1 (test_egress.py: the default refuses)

def _drain(worker: WebhookDelivery, rounds: int = 50) -> None:
    for _ in range(rounds):
        if not worker.run_once():
            return


@pytest.fixture
def worker(db: Database):  # type: ignore[no-untyped-def]
    w = WebhookDelivery(db, base_delay=0.0, max_attempts=4, timeout=2.0, egress=LOOPBACK)
    yield w
    w.stop()


def test_issue_events_reach_a_receiver_signed_with_the_issue(ledger: Ledger, worker: WebhookDelivery) -> None:
    with Receiver() as receiver:
        sub, secret = ledger.subscribe("t1", receiver.url)
        receiver.secret = secret
        issue = ledger.record("t1", rejected())["issues"][0]
        ledger.record("t1", rejected())  # counted: no notification
        ledger.act("t1", issue["id"], "resolve", actor="k")
        ledger.record("t1", rejected())  # regressed
        ledger.record("t1", rejected())  # third failure: escalated
        _drain(worker)
    assert receiver.types() == ["issue.escalated", "issue.opened", "issue.regressed", "issue.resolved"]
    assert receiver.refused == 0
    opened = next(e for e in receiver.events.values() if e["type"] == "issue.opened")
    assert opened["data"]["issue"]["id"] == issue["id"] and opened["id"].startswith("evt_")
    assert secret.startswith("whsec_") and secret not in str(ledger.subscriptions("t1"))
    log = ledger.deliveries("t1", sub["id"])
    assert len(log) == 4 and {d["status_code"] for d in log} == {204} and {d["state"] for d in log} == {"delivered"}


def test_failed_deliveries_are_retried_then_logged_until_they_succeed(ledger: Ledger, worker: WebhookDelivery) -> None:
    with Receiver(fail=2) as receiver:
        sub, receiver.secret = ledger.subscribe("t1", receiver.url)
        ledger.record("t1", rejected())
        _drain(worker)
    assert receiver.deliveries == 3 and receiver.types() == ["issue.opened"]
    log = ledger.deliveries("t1", sub["id"])
    assert [(d["attempt"], d["status_code"]) for d in log] == [(3, 204), (2, 500), (1, 500)]
    assert log[-1]["error"] == "HTTP 500"


def test_backoff_grows_exponentially(ledger: Ledger, db: Database) -> None:
    worker = WebhookDelivery(db, base_delay=10.0, max_attempts=5, timeout=1.0, egress=LOOPBACK)
    try:
        with Receiver(fail=10) as receiver:
            ledger.subscribe("t1", receiver.url)
            ledger.record("t1", rejected())
            delays = []
            for _ in range(3):
                assert worker.run_once() == 1
                with db.connect() as conn:
                    row = conn.execute(webhook_outbox.select()).one()
                    attempt = conn.execute(webhook_deliveries.select().order_by(webhook_deliveries.c.id.desc())).first()
                    # the retry is scheduled from the moment the attempt was written down
                    delays.append((row.next_attempt_at - attempt.at).total_seconds())
                    conn.execute(update(webhook_outbox).values(next_attempt_at=row.created_at))  # due again now
        assert 8 <= delays[0] <= 12 and 16 <= delays[1] <= 24 and 32 <= delays[2] <= 48
    finally:
        worker.stop()


def test_a_dead_receiver_ends_dead_after_the_last_attempt(ledger: Ledger, worker: WebhookDelivery) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once closed
    sub, _ = ledger.subscribe("t1", f"http://127.0.0.1:{port}/x")
    ledger.record("t1", rejected())
    _drain(worker)
    log = ledger.deliveries("t1", sub["id"])
    assert len(log) == 4 and all(d["status_code"] is None and "Connect" in d["error"] for d in log)
    assert log[0]["state"] == "dead"


def test_a_repeated_delivery_is_deduped_by_the_receiver(ledger: Ledger, db: Database, worker: WebhookDelivery) -> None:
    with Receiver() as receiver:
        _, receiver.secret = ledger.subscribe("t1", receiver.url)
        ledger.record("t1", rejected())
        _drain(worker)
        # a worker that died after sending but before writing it down: the row is due again
        with db.connect() as conn:
            conn.execute(update(webhook_outbox).values(state="pending"))
        _drain(worker)
    assert receiver.deliveries == 2 and len(receiver.events) == 1


def test_the_receiver_refuses_forged_and_stale_signatures() -> None:
    body = b'{"id":"evt_1"}'
    assert signature_ok("s" * 20, body, sign("s" * 20, body))
    assert not signature_ok("s" * 20, body + b" ", sign("s" * 20, body))
    assert not signature_ok("t" * 20, body, sign("s" * 20, body))
    assert not signature_ok("s" * 20, body, sign("s" * 20, body, timestamp=int(time.time()) - 301))
    assert verify("s" * 20, body, sign("s" * 20, body)) and not verify("s" * 20, body, "t=1,v1=00")


def test_muted_issues_do_not_notify_and_muting_does(ledger: Ledger, worker: WebhookDelivery) -> None:
    with Receiver() as receiver:
        issue = ledger.record("t1", rejected())["issues"][0]
        _, receiver.secret = ledger.subscribe("t1", receiver.url)
        ledger.act("t1", issue["id"], "mute", actor="k")
        for _ in range(3):
            ledger.record("t1", rejected())  # counted, escalated: silently
        ledger.record("t1", accepted())  # resolved while muted: silently
        _drain(worker)
    assert receiver.types() == ["issue.muted"]


def test_a_subscription_gets_only_the_events_it_chose(ledger: Ledger, worker: WebhookDelivery) -> None:
    with Receiver() as receiver:
        _, receiver.secret = ledger.subscribe("t1", receiver.url, events=["issue.resolved"])
        ledger.record("t1", rejected())
        ledger.record("t1", accepted())
        _drain(worker)
    assert receiver.types() == ["issue.resolved"]


def test_subscriptions_are_per_tenant(ledger: Ledger, worker: WebhookDelivery) -> None:
    with Receiver() as receiver:
        sub, receiver.secret = ledger.subscribe("alice", receiver.url)
        ledger.record("bob", rejected())
        _drain(worker)
        assert receiver.deliveries == 0
        with pytest.raises(SubscriptionNotFound):
            ledger.unsubscribe("bob", sub["id"])
        with pytest.raises(SubscriptionNotFound):
            ledger.deliveries("bob", sub["id"])
        assert ledger.subscriptions("bob") == []
        ledger.unsubscribe("alice", sub["id"])
        ledger.record("alice", rejected())
        _drain(worker)
    assert receiver.deliveries == 0 and ledger.subscriptions("alice") == []


@pytest.mark.parametrize(("url", "events", "words"), [
    ("ftp://x/y", None, "http"), ("https://u:p@x/y", None, "no credentials"), ("https://x/y", ["issue.x"], "unknown"),
])
def test_bad_subscriptions_are_refused(ledger: Ledger, url: str, events: list[str] | None, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        ledger.subscribe("t1", url, events=events)


def test_two_workers_deliver_each_event_once(ledger: Ledger, db: Database) -> None:
    workers = [WebhookDelivery(Database(db.url), base_delay=0.0, poll_interval=0.02, egress=LOOPBACK) for _ in range(2)]
    with Receiver() as receiver:
        _, receiver.secret = ledger.subscribe("t1", receiver.url)
        for n in range(40):
            ledger.record("t1", rejected(entity=f"e{n}"))
        for w in workers:
            w.start()
        deadline = time.monotonic() + 30
        while len(receiver.events) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        for w in workers:
            w.stop()
            w.db.dispose()
    assert len(receiver.events) == 40 and receiver.deliveries == 40


def test_a_slow_receiver_never_slows_the_intake(ledger: Ledger, db: Database) -> None:
    baseline_start = time.perf_counter()
    for n in range(20):
        ledger.record("t0", rejected(entity=f"b{n}", message=STALE))
    baseline = time.perf_counter() - baseline_start
    worker = WebhookDelivery(db, poll_interval=0.01, timeout=5.0, concurrency=2, egress=LOOPBACK)
    with Receiver(delay=2.0) as receiver:
        _, receiver.secret = ledger.subscribe("t1", receiver.url)
        worker.start()
        start = time.perf_counter()
        for n in range(20):
            ledger.record("t1", rejected(entity=f"e{n}"))  # each opens an issue: 20 deliveries queued
        elapsed = time.perf_counter() - start
        worker.stop()
    # the receiver takes 2 s an answer; the intake took about what it takes with no webhooks
    assert elapsed < max(1.5, baseline * 3)


def test_retention_prunes_finished_deliveries_and_their_log(ledger: Ledger, worker: WebhookDelivery) -> None:
    from datetime import UTC, datetime, timedelta

    with Receiver() as receiver:
        sub, receiver.secret = ledger.subscribe("t1", receiver.url)
        ledger.record("t1", rejected())
        _drain(worker)
    assert len(ledger.deliveries("t1", sub["id"])) == 1
    ledger.prune(now=datetime.now(UTC) + timedelta(days=365))
    assert ledger.deliveries("t1", sub["id"]) == []
    with ledger.db.connect() as conn:
        assert conn.execute(webhook_outbox.select()).all() == []


def _outbox(db: Database) -> list:  # type: ignore[type-arg]
    with db.connect() as conn:
        return conn.execute(webhook_outbox.select()).all()


def test_a_url_httpx_refuses_is_a_failed_attempt_then_dead(ledger: Ledger, db: Database, worker: WebhookDelivery,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """A subscription whose URL httpx will not send to (one written before the subscribe check
    knew it): each attempt fails like a refused connection, and the fourth is the last."""
    sub, _ = ledger.subscribe("t1", "https://hooks.example.com/x")
    with db.connect() as conn:
        conn.execute(update(webhook_subscriptions).values(url="http://0177.0.0.1/hook"))
    ledger.record("t1", rejected())
    with caplog.at_level(logging.INFO, logger="syncdoctor.webhooks"):
        _drain(worker)
    log = ledger.deliveries("t1", sub["id"])
    assert [d["attempt"] for d in log] == [4, 3, 2, 1] and log[0]["state"] == "dead"
    assert {d["error"] for d in log} == {"InvalidURL: Invalid IPv4 address: '0177.0.0.1'"}
    assert [(r.state, r.attempts) for r in _outbox(db)] == [("dead", 4)]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []  # expected: no traceback


def test_any_error_while_delivering_is_a_failed_attempt_logged_once(ledger: Ledger, db: Database,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError(f"boom at {request.url} with token=abcdef123456")

    outcomes: list[str] = []
    worker = WebhookDelivery(db, base_delay=0.0, max_attempts=3, timeout=2.0, transport=httpx.MockTransport(broken),
                             on_attempt=outcomes.append)
    try:
        sub, _ = ledger.subscribe("t1", "https://hooks.example.com/T0K3N-in-the-path?sig=QUERYSECRET")
        ledger.record("t1", rejected())
        with caplog.at_level(logging.INFO, logger="syncdoctor.webhooks"):
            _drain(worker)
    finally:
        worker.stop()
    log = ledger.deliveries("t1", sub["id"])
    assert [d["attempt"] for d in log] == [3, 2, 1] and log[0]["state"] == "dead"
    assert {d["error"] for d in log} == {"RuntimeError: boom at https://hooks.example.com/… with token=[redacted]"}
    assert [(r.state, r.attempts) for r in _outbox(db)] == [("dead", 3)]
    assert outcomes == ["failed", "failed", "dead"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 3 and all(r.getMessage() == "webhook delivery failed" for r in errors)  # once an attempt
    assert "T0K3N" not in caplog.text and "QUERYSECRET" not in str(log)


def test_a_row_claimed_again_after_its_last_attempt_ends_dead(ledger: Ledger, db: Database,
                                                              worker: WebhookDelivery) -> None:
    """A worker that died during the last attempt leaves the row claimed; when its lease ends,
    the next claim counts a fifth attempt of four: it gives up instead of sending again."""
    with Receiver() as receiver:
        sub, receiver.secret = ledger.subscribe("t1", receiver.url)
        ledger.record("t1", rejected())
        with db.connect() as conn:
            conn.execute(update(webhook_outbox).values(state="delivering", attempts=4,
                                                       claimed_until=datetime.now(UTC) - timedelta(seconds=1)))
        _drain(worker)
    assert receiver.deliveries == 0
    (entry,) = ledger.deliveries("t1", sub["id"])
    assert (entry["attempt"], entry["state"]) == (5, "dead") and "4 attempts" in entry["error"]
