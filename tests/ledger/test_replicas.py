"""Beyond one machine: several `syncdoctor serve` processes on one database, the same events
sent to all of them at once by concurrent clients. Exactly one issue per fingerprint, every
count kept, one `issue.opened` per issue, one escalation per escalated issue, no deadlock, no
5xx. Real uvicorn processes started as a user would; PostgreSQL from tests/pg.py."""

from __future__ import annotations

import os
import subprocess
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from syncdoctor.ledger import Database, KeyStore
from syncdoctor.ledger.ledger import Ledger, LedgerConfig
from syncdoctor.ledger.schema import issues, occurrences, webhook_outbox
from tests.service.conftest import Server, free_port, stop_server, syncdoctor_command, wait_ready

from .helpers import DUPLICATE, STALE, rejected

pytestmark = pytest.mark.slow


def _events(n: int = 2000) -> list[dict]:
    """n rejections over 300 entities, two problems, and doc numbers that split issues."""
    out = []
    for k in range(n):
        entity = f"inv-{k % 300}"
        message = STALE if k % 3 == 0 else DUPLICATE.replace("1781", str(1781 + k % 2))
        out.append(rejected(entity=entity, message=message, client=f"firm-{k % 7}"))
    return out


def _start(db: str, tmp: Path, name: str, *flags: str) -> Server:
    port = free_port()
    log = tmp / f"{name}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCDOCTOR_")}
    env["SYNCDOCTOR_WEBHOOKS_DELIVER"] = "0"  # the outbox is counted, not sent
    cmd = syncdoctor_command("serve", "--port", str(port), "--db", db, *flags)
    process = subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env)
    return Server(f"http://127.0.0.1:{port}", db, process, log)


def _send_everywhere(servers: list[Server], key: str, events: list[dict], copies: int, chunk: int = 25,
                     clients: int = 12) -> Counter[int]:
    """Every chunk of NDJSON to every server ``copies`` times, from ``clients`` threads at once."""
    body_chunks = [b"\n".join(orjson.dumps(e) for e in events[i:i + chunk]) + b"\n"
                   for i in range(0, len(events), chunk)]
    jobs = [(server, body) for body in body_chunks for server in servers for _ in range(copies)]
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(worker: int) -> None:
        start.wait()
        with httpx.Client(headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"},
                          timeout=120) as http:
            for server, body in jobs[worker::clients]:
                r = http.post(server.url + "/v1/events", content=body)
                lines = [orjson.loads(line) for line in r.content.splitlines()] if r.status_code == 200 else []
                bad = [line for line in lines if "status" in line]  # a problem line: nothing may fail
                with lock:
                    statuses[r.status_code] += 1
                    statuses[-1] += len(bad)
                    statuses[-2] += len(lines)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return statuses


def _check(db_url: str, events: list[dict], sends: int, ledger_host) -> None:  # type: ignore[no-untyped-def]
    db = Database(db_url)
    try:
        expected = Counter((e["client"], e["entity_id"], e["report"]["message"]) for e in events)
        with db.connect() as conn:
            rows = conn.execute(select(issues)).all()
            counted = conn.execute(select(func.count()).select_from(occurrences)).scalar()
            kinds = Counter(conn.execute(select(webhook_outbox.c.event_type)).scalars())
        assert len(rows) == len(expected), "exactly one issue per fingerprint"
        assert sorted(r._mapping["count"] for r in rows) == sorted(n * sends for n in expected.values())
        assert counted == len(events) * sends
        assert kinds["issue.opened"] == len(rows), "each issue opened once, whichever replica won"
        assert kinds["issue.escalated"] == sum(1 for r in rows if r.escalated)
        failures = Counter((e["client"], e["entity_id"]) for e in events)
        escalated = {(r.client, r.entity) for r in rows if r.escalated}
        assert escalated == {entity for entity, n in failures.items() if n * sends >= 3}
    finally:
        db.dispose()


def _prepare(db_url: str) -> str:
    db = Database(db_url)
    db.upgrade()
    _, key = KeyStore(db).create("acme", "write")
    Ledger(db, config=LedgerConfig(private_webhooks=True)).subscribe("acme", "http://127.0.0.1:9/nobody-listens")
    db.dispose()
    return key


def test_three_replicas_on_postgresql(postgres_url: str, tmp_path: Path, host) -> None:  # type: ignore[no-untyped-def]
    # the replicas start together and race to migrate an empty database: one does it
    servers = [_start(postgres_url, tmp_path, f"replica{n}") for n in range(3)]
    try:
        for server in servers:
            wait_ready(server, timeout=90)
        key = _prepare(postgres_url)
        events = _events()
        statuses = _send_everywhere(servers, key, events, copies=1)
        assert statuses[200] == 3 * 80 and not [s for s in statuses if s >= 500], statuses
        assert statuses[-1] == 0 and statuses[-2] == 3 * len(events)
        _check(postgres_url, events, 3, host)
    finally:
        for server in servers:
            stop_server(server)
    for server in servers:
        assert "Traceback" not in server.logs(), server.logs()[-3000:]


def test_two_workers_on_sqlite(tmp_path: Path, host) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/ledger.db"
    key = _prepare(url)
    server = _start(url, tmp_path, "workers", "--workers", "2")
    try:
        wait_ready(server, timeout=90)
        events = _events()
        statuses = _send_everywhere([server], key, events, copies=2, clients=8)
        assert statuses[200] == 2 * 80 and not [s for s in statuses if s >= 500], statuses
        assert statuses[-1] == 0 and statuses[-2] == 2 * len(events)
        _check(url, events, 2, host)
    finally:
        stop_server(server)
    assert "Traceback" not in server.logs(), server.logs()[-3000:]
