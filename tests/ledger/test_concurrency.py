"""Many writers at once (threads here; processes and replicas in tests/ledger/test_replicas.py):
one issue per fingerprint, no count lost, one escalation."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from syncdoctor.ledger import Database
from syncdoctor.ledger.ledger import Ledger, LedgerConfig
from syncdoctor.ledger.schema import webhook_outbox

from .helpers import DUPLICATE, STALE, accepted, rejected


def test_the_same_rejection_from_many_threads_makes_one_issue_with_every_count(db: Database, host) -> None:  # type: ignore[no-untyped-def]
    ledgers = [Ledger(Database(db.url), host) for _ in range(4)]  # four "processes", four pools
    barrier = threading.Barrier(8)

    def send(n: int) -> list[str]:
        barrier.wait()
        ledger = ledgers[n % 4]
        return [ledger.record("t1", rejected(entity=f"e{k % 5}"))["issues"][0]["id"] for k in range(25)]

    with ThreadPoolExecutor(8) as pool:
        ids = [i for batch in pool.map(send, range(8)) for i in batch]
    items = ledgers[0].issues("t1", limit=100)["items"]
    assert len(items) == 5 == len(set(ids))
    assert sorted(i["count"] for i in items) == [40] * 5
    # each entity failed 40 times: every one escalated, each exactly once
    assert all(i["escalated"] for i in items)
    for ledger in ledgers:
        ledger.db.dispose()


def test_escalation_happens_once_under_a_race(db: Database, host) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger(db, host, LedgerConfig(private_webhooks=True))
    ledger.subscribe("t1", "http://127.0.0.1:9/hook")
    barrier = threading.Barrier(6)

    def send(n: int) -> int:
        barrier.wait()
        message = STALE if n % 2 else None
        event = rejected(message=message) if message else rejected()
        return len(ledger.record("t1", event)["findings"])

    with ThreadPoolExecutor(6) as pool:
        findings = list(pool.map(send, range(6)))
    assert sum(findings) == 4  # failures 3, 4, 5 and 6 say so
    with db.connect() as conn:
        kinds = [r.event_type for r in conn.execute(webhook_outbox.select())]
    assert kinds.count("issue.escalated") == 2  # one per issue of the entity, never twice
    assert kinds.count("issue.opened") == 2


def test_acceptances_and_rejections_racing_leave_a_consistent_issue(db: Database, host) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger(db, host)
    barrier = threading.Barrier(6)

    def send(n: int) -> None:
        barrier.wait()
        for _ in range(10):
            ledger.record("t1", accepted() if n % 3 == 0 else rejected())

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(send, range(6)))
    (issue,) = ledger.issues("t1")["items"]
    assert issue["count"] == 40
    shown = ledger.issue("t1", issue["id"])
    resolutions = [a for a in shown["actions"] if a["action"] == "resolve"]
    # each regression follows a resolution
    assert issue["regressed"] <= len(resolutions) <= issue["regressed"] + 1


def test_batches_in_different_orders_from_many_threads(db: Database, host) -> None:  # type: ignore[no-untyped-def]
    """Transactions of many events lock issues in different orders: deadlocks are retried and
    nothing is lost or doubled."""
    import random

    ledgers = [Ledger(Database(db.url), host) for _ in range(3)]
    events = [rejected(entity=f"e{k % 12}", message=STALE if k % 2 else DUPLICATE) for k in range(60)]
    barrier = threading.Barrier(6)

    def send(n: int) -> int:
        mine = events[:]
        random.Random(n).shuffle(mine)
        barrier.wait()
        return sum(1 for a in ledgers[n % 3].record_many("t1", mine, chunk=20) if isinstance(a, dict))

    with ThreadPoolExecutor(6) as pool:
        assert sum(pool.map(send, range(6))) == 360
    items = ledgers[0].issues("t1", limit=100)["items"]
    assert sum(i["count"] for i in items) == 360
    assert len(items) == len({(e["entity_id"], e["report"]["message"]) for e in events})
    for ledger in ledgers:
        ledger.db.dispose()
