"""Qonto end to end over loopback: the sandbox with every fault switched on gives exactly the
same transactions and invoices as without faults; interrupted fetches resume; the entries
built from them are balanced and checked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from syncdoctor import Faults, Host, RetryPolicy, VendorAuthError, dumps
from syncdoctor_qonto.sandbox import factory

ANCHOR = dt.date(2026, 6, 10)
NOW = dt.datetime(2026, 6, 10, 6, 30, tzinfo=dt.UTC)
EVERY_FAULT = "429,500,drop,duplicate-page,slow"


@pytest.fixture(scope="module")
def host() -> Host:
    return Host.from_entry_points(names=["qonto"], strict=True)


def fetch(host: Host, url: str, **extra):
    options = {"base_url": url, "login": "sandbox", "secret_key": "sandbox", "now": NOW, "invoices": "yes",
               "invoice_statuses": "draft,unpaid,paid,canceled", "per_page": 20,
               "retry": RetryPolicy(backoff=0.01, max_wait=0.05), **extra}
    return host.fetch("qonto", options)


def faulty_server():
    return factory(anchor=ANCHOR, faults=Faults(EVERY_FAULT, retry_after=0, slow_seconds=0.05))


@pytest.fixture(scope="module")
def reference(host):
    with factory(anchor=ANCHOR) as clean:
        result = fetch(host, clean.url)
        entities = list(result)
    return entities, result


def test_every_fault_switched_on_gives_exactly_the_same_result(host, reference):
    expected, clean = reference
    with faulty_server() as server:
        result = fetch(host, server.url)
        got = list(result)
        injected = dict(server.faults.injected)
    assert [dumps(e) for e in got] == [dumps(e) for e in expected]  # same entities, same order, nothing twice
    assert len({e.id for e in got}) == len(got)
    assert set(injected) == {"429", "500", "drop", "slow"}
    assert result.stats["throttled"] == injected["429"] and result.stats["server_errors"] == injected["500"]
    assert result.stats["dropped"] == injected["drop"] and result.stats["duplicates"] > 0
    for key in ("transactions", "client_invoices", "skipped_booked", "booked"):
        assert result.stats[key] == clean.stats[key] > 0, key
    assert result.state == clean.state and "resume" not in result.state


def test_an_interrupted_fetch_under_faults_resumes_to_the_same_set(host, reference):
    expected, _ = reference
    delivered = []
    with faulty_server() as server:
        first = fetch(host, server.url)
        for entity in first:
            delivered.append(entity.id)
            if len(delivered) == 33:
                break
        state = dumps(first.state)  # what a host persists
        rest = fetch(host, server.url, state=state)
        delivered += [e.id for e in rest]
    assert delivered == [e.id for e in expected]
    assert rest.state["last_integration"] == "2026-06-10T00:00:00+02:00"


def test_refused_credentials_stop_at_the_first_request(host):
    with factory(anchor=ANCHOR, faults=Faults(EVERY_FAULT, retry_after=0)) as server:
        with pytest.raises(VendorAuthError) as caught:
            list(fetch(host, server.url, secret_key="not-the-key"))
        assert caught.value.problem == "qonto.connection_failed"
        assert len(server.requests) == 1


def test_the_fetched_data_flows_into_findings_and_balanced_entries(host, reference):
    entities, _ = reference
    problems = {f.problem for r in host.validate_many(entities) for f in r.findings}
    assert problems == {"qonto.attachment_too_large", "qonto.attachment_unsupported_type",
                        "qonto.invoice_status_not_importable"}
    entries = host.tool("qonto.to_entries")(entities, {"bank_journal": "BQ2", "treasury_account": "51210000"})
    transactions = [e for e in entities if e.kind == "bank_transaction"]
    sales = [e for e in entities if e.kind == "client_invoice" and e.status in ("unpaid", "paid")]
    assert len(entries) == len(transactions) + len(sales)
    for entry in entries:
        assert sum((ln.debit for ln in entry.lines), Decimal(0)) == sum((ln.credit for ln in entry.lines), Decimal(0))
    bank = [e for e in entries if e.journal == "BQ2"]
    assert all(any(ln.account == "51210000" for ln in e.lines) for e in bank)
    # attachments travel with the entries, so the document problems follow them to the target
    on_entries = {f.problem for r in host.validate_many(entries) for f in r.findings}
    assert on_entries == {"qonto.attachment_too_large", "qonto.attachment_unsupported_type"}
