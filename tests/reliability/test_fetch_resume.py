"""Issue 20, items 1, 2 and 11, in process: the fetch state contract of every source.

Contract (docs/reliability.md): ``result.state`` read right after an entity is received
describes the position just after it. So a fetch stopped after any entity and resumed with
that state gives the rest, exactly: tried here at every cut point, for Qonto, POS and
QuickBooks, against their loopback sandboxes.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from syncdoctor import Faults, Host, RetryPolicy, SandboxRequest, SandboxResponse, SandboxServer, VendorError
from syncdoctor_pos_pennylane.sandbox import SANDBOX_LOCATION, SANDBOX_TOKEN
from syncdoctor_pos_pennylane.sandbox import factory as pos_factory
from syncdoctor_qonto.sandbox import QontoSandbox
from syncdoctor_qonto.sandbox_data import build_data
from syncdoctor_qonto.window import PARIS
from syncdoctor_quickbooks.sandbox import make_sandbox
from syncdoctor_quickbooks.sandbox_company import REALM_ID

FAST = RetryPolicy(attempts=4, backoff=0.001, sleep=lambda s: None)


@pytest.fixture(scope="module")
def host() -> Host:
    return Host.from_entry_points(names=["qonto", "pos_pennylane", "quickbooks"])


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, SandboxServer]]:
    with SandboxServer(QontoSandbox(build_data(), Faults())) as qonto, pos_factory() as pos, \
            make_sandbox() as qbo:
        yield {"qonto": qonto, "pos": pos, "quickbooks": qbo}


def options(source: str, url: str) -> dict[str, Any]:
    if source == "qonto":
        return {"base_url": url, "login": "sandbox", "secret_key": "sandbox", "invoices": "yes", "per_page": 3,
                "retry": FAST}
    if source == "pos":
        return {"base_url": url, "token": SANDBOX_TOKEN, "business_location_id": SANDBOX_LOCATION,
                "start_date": "2026-08-30", "until": "2026-09-03", "page_size": 2, "retry": FAST}
    return {"base_url": url, "realm_id": REALM_ID, "token": "sandbox-token", "page_size": 4, "retry": FAST}


def ident(entity: Any) -> str:
    return f"{entity.kind}:{entity.id}"


@pytest.mark.parametrize("source", ["qonto", "pos", "quickbooks"])
def test_a_fetch_stopped_after_any_entity_resumes_exactly(source: str, host: Host,
                                                          servers: dict[str, SandboxServer]) -> None:
    url = servers[source].url
    whole = [ident(e) for e in host.fetch(source, options(source, url))]
    assert len(whole) == len(set(whole)) > 10
    for cut in sorted({1, 2, len(whole) // 3, len(whole) // 2, len(whole) - 1}):
        first = host.fetch(source, options(source, url))
        taken = [ident(e) for e in itertools.islice(first, cut)]
        saved = first.state  # what a host saves once these entities are delivered
        rest = [ident(e) for e in host.fetch(source, {**options(source, url), "state": saved})]
        assert taken + rest == whole, f"cut after {cut}"


def failing_on(app: Callable[[SandboxRequest], SandboxResponse], path: str, nth: int,
               answer: SandboxResponse) -> Callable[[SandboxRequest], SandboxResponse]:
    calls = {"n": 0}

    def serve(request: SandboxRequest) -> SandboxResponse:
        if request.path == path:
            calls["n"] += 1
            if calls["n"] == nth:
                return answer
        return app(request)
    return serve


MALFORMED = [
    ("list is an object", {"transactions": {"0": {}}, "meta": {"next_page": None}}, "not a list"),
    ("list is missing", {"meta": {"next_page": None}}, "missing"),
    ("next page is garbage", {"transactions": [], "meta": {"next_page": "two"}}, "not a page number"),
    ("next page is a list", {"transactions": [], "meta": {"next_page": [2]}}, "not a page number"),
    ("bad field types", {"transactions": [{"id": "x1", "settled_at": 12, "amount": []}], "meta": {}}, "x1"),
]


@pytest.mark.parametrize(("why", "body", "said"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_qonto_page_is_an_error_and_the_state_does_not_move(
        host: Host, why: str, body: dict[str, Any], said: str) -> None:
    app = failing_on(QontoSandbox(build_data(), Faults()), "/v2/transactions", 2, SandboxResponse(200, body))
    with SandboxServer(app) as server:
        result = host.fetch("qonto", options("qonto", server.url))
        got = []
        with pytest.raises(VendorError, match=said):
            for entity in result:
                got.append(ident(entity))
        assert result.state.get("last_integration") is None  # the window was not declared done
        assert result.state["resume"]["page"] in (1, 2)
        rest = [ident(e) for e in host.fetch("qonto", {**options("qonto", server.url), "state": result.state})]
        whole = [ident(e) for e in host.fetch("qonto", options("qonto", server.url))]
        assert got + rest == whole


def test_the_sandbox_malformed_page_fault_is_caught(host: Host) -> None:
    with SandboxServer(QontoSandbox(build_data(), Faults()), faults=Faults("malformed-page", every=1)) as server:
        result = host.fetch("qonto", options("qonto", server.url))
        with pytest.raises(VendorError, match="not a list|expected an object"):
            list(result)
        assert "last_integration" not in result.state


@pytest.mark.parametrize("body", [b"{not json", b"[" * 100_000, b"\xff\xfe"])
def test_a_pos_200_with_invalid_json_is_a_clear_error(host: Host, body: bytes) -> None:
    inner = pos_factory()
    inner.stop()
    app = failing_on(inner.app, f"/f/finance/{SANDBOX_LOCATION}/financials/2026-08-30/2026-08-30", 1,
                     SandboxResponse(200, body))
    with SandboxServer(app) as server:
        with pytest.raises(VendorError, match="JSON"):
            list(host.fetch("pos", options("pos", server.url)))


@pytest.mark.parametrize("links", [["x"], {"nextPage": {"href": ["a"]}}, {"nextPage": {"href": "http://[::1"}}, "zz"])
def test_a_pos_garbage_next_link_is_a_clear_error(host: Host, links: Any) -> None:
    inner = pos_factory()
    inner.stop()
    app = failing_on(inner.app, f"/f/finance/{SANDBOX_LOCATION}/financials/2026-08-30/2026-08-30", 1,
                     SandboxResponse(200, {"sales": [], "dataComplete": True, "_links": links}))
    with SandboxServer(app) as server:
        with pytest.raises(VendorError, match="nextPage"):
            list(host.fetch("pos", options("pos", server.url)))


def test_quickbooks_rows_that_are_not_a_list_are_an_error(host: Host) -> None:
    def app(request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(200, {"QueryResponse": {"Invoice": {"Id": "1"}}})

    with SandboxServer(app) as server:
        result = host.fetch("quickbooks", options("quickbooks", server.url))
        with pytest.raises(VendorError, match="not a list"):
            list(result)
        assert "since" not in result.state


def test_an_until_in_the_future_is_capped_at_now_in_paris(host: Host, servers: dict[str, SandboxServer]) -> None:
    """Item 2: the saved end of the window never passes now, so later days are still read."""
    now = dt.datetime.now(PARIS)
    future = (now + dt.timedelta(days=30)).date().isoformat()
    result = host.fetch("qonto", {**options("qonto", servers["qonto"].url), "until": future})
    list(result)
    end = dt.datetime.fromisoformat(result.state["last_integration"])
    assert end <= dt.datetime.now(PARIS) and end >= now - dt.timedelta(minutes=5)
    # the next fetch starts there: the days up to the future date are still to come
    later = host.fetch("qonto", {**options("qonto", servers["qonto"].url), "state": result.state,
                                 "now": now + dt.timedelta(days=2)})
    assert later.plan.window.start == end  # type: ignore[attr-defined]


def test_a_pos_until_in_the_future_stops_at_today(host: Host, servers: dict[str, SandboxServer]) -> None:
    today = dt.datetime.now(PARIS).date()
    result = host.fetch("pos", {**options("pos", servers["pos"].url), "until": (today + dt.timedelta(days=40)).isoformat()})
    list(result)
    assert dt.date.fromisoformat(result.state["next_since"]) <= today + dt.timedelta(days=1)
