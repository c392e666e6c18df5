"""Webhook deliveries are counted in /metrics: ``syncdoctor_webhook_deliveries_total{outcome}``,
one per attempt, ``delivered``, ``failed`` (to be retried) or ``dead``."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from syncdoctor import Host
from syncdoctor.ledger import Database
from syncdoctor.ledger.delivery import WebhookDelivery
from syncdoctor.ledger.egress import Egress
from syncdoctor.ledger.ledger import Ledger, LedgerConfig
from syncdoctor.service.metrics import Metrics
from tests.ledger.helpers import rejected
from tests.ledger.receiver import Receiver

from .conftest import start_server, stop_server


def _counts(text: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r'^syncdoctor_webhook_deliveries_total\{outcome="(\w+)"\} (\d+)$', text, re.M)}


def test_the_service_counts_its_webhook_deliveries(tmp_path: Path) -> None:
    """`syncdoctor serve` (its delivery worker on, private receivers allowed: they listen on
    loopback): one receiver answers, the other fails; /metrics counts one of each."""
    server = start_server(tmp_path, "--webhooks-private", "--auth-cache-seconds", "0")
    try:
        with Receiver() as good, Receiver(fail=100) as bad, server.client("acme", "admin") as admin:
            for receiver in (good, bad):
                r = admin.post("/v1/webhooks", json={"url": receiver.url, "events": ["issue.opened"]})
                assert r.status_code == 201, r.text
                receiver.secret = r.json()["secret"]
            assert admin.post("/v1/events", json=rejected()).status_code == 200
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                counts = _counts(httpx.get(server.url + "/metrics").text)
                if counts.get("delivered") and counts.get("failed"):
                    break
                time.sleep(0.1)
        assert counts == {"delivered": 1, "failed": 1}, server.logs()
        assert good.types() == ["issue.opened"] and bad.deliveries == 1
        text = httpx.get(server.url + "/metrics").text
        assert "# TYPE syncdoctor_webhook_deliveries_total counter" in text
    finally:
        stop_server(server)


def test_a_last_failed_attempt_is_counted_dead(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/ledger.db")
    db.upgrade()
    metrics = Metrics()
    worker = WebhookDelivery(db, base_delay=0.0, max_attempts=2, egress=Egress(allow_private=True),
                             transport=httpx.MockTransport(lambda request: httpx.Response(503)),
                             on_attempt=metrics.count_webhook_attempt)
    try:
        ledger = Ledger(db, Host.from_entry_points(names=["quickbooks"]), LedgerConfig(private_webhooks=True))
        ledger.subscribe("t1", "https://hooks.example.com/x")
        ledger.record("t1", rejected())
        while worker.run_once():
            pass
    finally:
        worker.stop()
        db.dispose()
    assert _counts(metrics.render()) == {"failed": 1, "dead": 1}
