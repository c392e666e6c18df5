"""fetch_transactions: the query endpoint, paged, with a bearer token, retried on 429."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from syncdoctor import Faults, Host, InputError, Invoice, RetryPolicy, VendorAuthError, VendorError
from syncdoctor_quickbooks.context import QuickBooksContext
from syncdoctor_quickbooks.sandbox import make_sandbox
from syncdoctor_quickbooks.sandbox_company import REALM_ID

REALM = "123145"


def _invoice(n: int) -> dict[str, Any]:
    return {"Id": str(n), "SyncToken": "0", "DocNumber": str(1000 + n), "TxnDate": "2026-02-01",
            "CustomerRef": {"value": "58", "name": "Acme Corp"}, "TotalAmt": 100.10, "Balance": 40,
            "Line": [{"Amount": 100.10, "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"ItemRef": {"value": "1", "name": "Bookkeeping"}, "Qty": 1}},
                     {"Amount": 100.10, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}],
            "MetaData": {"LastUpdatedTime": f"2026-02-0{1 + n % 8}T10:00:00-08:00"}}


class FakeQbo:
    """A MockTransport handler serving ``count`` invoices; records what it was asked."""

    def __init__(self, count: int, throttle_first: bool = False) -> None:
        self.rows = [_invoice(n) for n in range(1, count + 1)]
        self.throttle = throttle_first
        self.queries: list[str] = []
        self.auth: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.auth.append(request.headers.get("authorization", ""))
        assert request.url.path == f"/v3/company/{REALM}/query"
        if self.throttle:
            self.throttle = False
            return httpx.Response(429, headers={"Retry-After": "7"}, json={"fault": {"error": [{"code": "3001"}]}})
        query = request.url.params["query"]
        self.queries.append(query)
        m = re.search(r"from (\w+).*STARTPOSITION (\d+) MAXRESULTS (\d+)", query)
        assert m is not None
        if m.group(1) != "Invoice":
            return httpx.Response(200, json={"QueryResponse": {}})
        start, size = int(m.group(2)), int(m.group(3))
        page = self.rows[start - 1: start - 1 + size]
        body: dict[str, Any] = {"QueryResponse": {"startPosition": start, "maxResults": len(page)}}
        if page:
            body["QueryResponse"]["Invoice"] = page
        return httpx.Response(200, json=body)


def _options(handler: Any, **more: Any) -> dict[str, Any]:
    slept: list[float] = []
    return {"realm_id": REALM, "token": SecretStr("s3cr3t-token"), "entities": "invoice", "base_url": "https://qbo.test",
            "transport": httpx.MockTransport(handler), "retry": RetryPolicy(sleep=slept.append), "slept": slept, **more}


def test_pages_with_startposition_and_maxresults(qbo_host: Host) -> None:
    fake = FakeQbo(5)
    result = qbo_host.fetch("quickbooks", _options(fake, page_size=2))
    items = list(result)
    assert [i.id for i in items] == [f"qbo-invoice-{n}" for n in range(1, 6)]
    starts = [re.search(r"STARTPOSITION (\d+) MAXRESULTS (\d+)", q).groups() for q in fake.queries]  # type: ignore[union-attr]
    assert starts == [("1", "2"), ("3", "2"), ("5", "2")]
    assert all(q.startswith("select * from Invoice") for q in fake.queries)
    assert result.stats["invoice"] == 5 and result.stats["requests"] == 3


def test_default_page_is_the_maximum_of_1000(qbo_host: Host) -> None:
    fake = FakeQbo(3)
    list(qbo_host.fetch("quickbooks", _options(fake)))
    assert fake.queries == ["select * from Invoice STARTPOSITION 1 MAXRESULTS 1000"]
    with pytest.raises(InputError, match="page_size"):
        qbo_host.fetch("quickbooks", _options(fake, page_size=1001))


def test_bearer_token_is_sent_and_never_shown(qbo_host: Host) -> None:
    fake = FakeQbo(1)
    result = qbo_host.fetch("quickbooks", _options(fake))
    assert "s3cr3t" not in repr(result.__dict__)
    list(result)
    assert fake.auth == ["Bearer s3cr3t-token"]
    assert "s3cr3t" not in repr(result.stats) + repr(result.state)


def test_429_is_retried_after_retry_after(qbo_host: Host) -> None:
    fake = FakeQbo(2, throttle_first=True)
    options = _options(fake)
    result = qbo_host.fetch("quickbooks", options)
    assert len(list(result)) == 2
    assert options["slept"] == [7.0]
    assert result.stats["throttled"] == 1


def test_entities_map_to_models_with_exact_amounts(qbo_host: Host) -> None:
    (invoice,) = list(qbo_host.fetch("quickbooks", _options(FakeQbo(1))))
    assert isinstance(invoice, Invoice)
    assert invoice.total == Decimal("100.10") and invoice.open_balance == Decimal("40")
    assert invoice.source == "quickbooks" and invoice.doc_number == "1001"
    assert invoice.customer is not None and invoice.customer.name == "Acme Corp"
    assert invoice.lines[0].item == "Bookkeeping"
    assert (invoice.model_extra or {})["qbo_id"] == "1"


def test_state_resumes_from_the_newest_update(qbo_host: Host) -> None:
    fake = FakeQbo(3)
    result = qbo_host.fetch("quickbooks", _options(fake))
    list(result)
    assert result.state["since"] == "2026-02-04T10:00:00-08:00"
    again = qbo_host.fetch("quickbooks", _options(fake, state=result.state))
    list(again)
    assert "MetaData.LastUpdatedTime >= '2026-02-04T10:00:00-08:00'" in fake.queries[-1]


def test_bad_options(qbo_host: Host) -> None:
    with pytest.raises(InputError, match="realm_id"):
        qbo_host.fetch("quickbooks", {"token": "t"})
    with pytest.raises(InputError, match="token"):
        qbo_host.fetch("quickbooks", {"realm_id": REALM})
    with pytest.raises(InputError, match="entities"):
        qbo_host.fetch("quickbooks", {"realm_id": REALM, "token": "t", "entities": "invoice,bill"})


def test_other_sources_are_not_answered(qbo_host: Host) -> None:
    with pytest.raises(InputError, match="no loaded plugin fetches"):
        qbo_host.fetch("qonto-x", {})


def test_refusals_raise(qbo_host: Host) -> None:
    def unauthorized(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"fault": {"error": [{"message": "message=AuthenticationFailed", "code": "3200"}]}})

    with pytest.raises(VendorAuthError, match="AuthenticationFailed") as caught:
        list(qbo_host.fetch("quickbooks", _options(unauthorized)))
    assert caught.value.status == 401 and caught.value.code == "3200"

    def fault_in_200(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"Fault": {"Error": [{"Message": "Error parsing query", "code": "4000"}]}})

    with pytest.raises(VendorError, match="Error parsing query"):
        list(qbo_host.fetch("quickbooks", _options(fault_in_200)))


def test_fetch_from_the_sandbox_through_every_fault(qbo_host: Host) -> None:
    faults = Faults("429,500,drop,duplicate-page", retry_after=0)
    with make_sandbox(faults=faults) as sandbox:
        result = qbo_host.fetch("quickbooks", {
            "base_url": sandbox.url, "realm_id": REALM_ID, "token": SecretStr("t"), "page_size": 4,
            "entities": "invoice,payment,customer,item", "retry": RetryPolicy(sleep=lambda s: None)})
        items = list(result)
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids))  # the repeated pages were dropped
    kinds = {k: sum(1 for i in items if i.kind == k) for k in ("invoice", "payment", "customer", "service")}
    assert kinds == {"invoice": 25, "payment": 9, "customer": 14, "service": 5}
    assert set(faults.injected) == {"429", "500", "drop"}
    ctx = QuickBooksContext.from_entities(items)
    assert ctx.doc_numbers is not None and ctx.doc_numbers["1781"].txn_id == "3188"
    assert ctx.deleted_customers == ["Initech", "Tyrell Corp"]
    assert "Old retainer" not in (ctx.items or [])
