"""The sandbox (a fake QuickBooks Online over loopback) and the push tools that talk to it."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest

from syncdoctor import Host, SandboxServer, deferred, loads
from syncdoctor_quickbooks.push import push, push_batch
from syncdoctor_quickbooks.sandbox import SANDBOX_TOKEN, make_sandbox, parse_where
from syncdoctor_quickbooks.sandbox_company import REALM_ID

AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}


def _get(server: SandboxServer, query: str, token: str = SANDBOX_TOKEN, realm: str = REALM_ID) -> httpx.Response:
    return httpx.get(f"{server.url}/v3/company/{realm}/query", params={"query": query},
                     headers={"Authorization": f"Bearer {token}"})


def _post(server: SandboxServer, segment: str, body: Any, **params: str) -> tuple[int, Any]:
    response = httpx.post(f"{server.url}/v3/company/{REALM_ID}/{segment}", json=body, params=params, headers=AUTH)
    return response.status_code, loads(response.text)


def test_factory_signature_and_tools(qbo_host: Host) -> None:
    params = inspect.signature(make_sandbox).parameters
    assert list(params) == ["port", "faults"] and params["port"].default == 0 and params["faults"].default is None
    factory = qbo_host.sandboxes()["quickbooks"]  # deferred: imported on its first call
    assert isinstance(factory, deferred) and factory.resolve() is make_sandbox
    assert qbo_host.tool("quickbooks.push") is push and qbo_host.tool("quickbooks.push_batch") is push_batch
    server = make_sandbox()
    assert isinstance(server, SandboxServer)
    server._server.server_close()  # built, never started


def test_query_pages_and_limits(qbo_sandbox: SandboxServer) -> None:
    body = loads(_get(qbo_sandbox, "select * from Invoice STARTPOSITION 21 MAXRESULTS 10").text)
    page = body["QueryResponse"]["Invoice"]
    assert len(page) == 5 and body["QueryResponse"]["startPosition"] == 21
    count = loads(_get(qbo_sandbox, "select count(*) from Invoice").text)
    assert count["QueryResponse"]["totalCount"] == 25
    too_many = _get(qbo_sandbox, "select * from Invoice MAXRESULTS 1001")
    assert too_many.status_code == 400 and loads(too_many.text)["Fault"]["Error"][0]["code"] == "4001"
    assert _get(qbo_sandbox, "select * frm Invoice").status_code == 400


def test_inactive_rows_only_on_request(qbo_sandbox: SandboxServer) -> None:
    active = loads(_get(qbo_sandbox, "select * from Customer").text)["QueryResponse"]["Customer"]
    every = loads(_get(qbo_sandbox, "select * from Customer where Active IN (true, false)").text)["QueryResponse"]["Customer"]
    assert len(active) == 12 and len(every) == 14
    deleted = [c["DisplayName"] for c in every if not c["Active"]]
    assert deleted == ["Initech (deleted)", "Tyrell Corp (deleted)"]
    exact = loads(_get(qbo_sandbox, "select * from Customer where DisplayName = 'Jane Doe CPA'").text)
    assert [c["Id"] for c in exact["QueryResponse"]["Customer"]] == ["64"]


def test_where_parser() -> None:
    assert parse_where("DisplayName = 'O\\'Brien' AND Active IN (true, false)") == [
        ("DisplayName", "=", "O'Brien"), ("Active", "in", [True, False])]
    with pytest.raises(ValueError):
        parse_where("DROP TABLE")


def test_amounts_are_json_numbers(qbo_sandbox: SandboxServer) -> None:
    text = _get(qbo_sandbox, "select * from Invoice MAXRESULTS 1").text
    assert '"TotalAmt": 450.00' in text


def test_auth_and_realm(qbo_sandbox: SandboxServer) -> None:
    expired = _get(qbo_sandbox, "select * from Invoice", token="expired-abc")
    assert expired.status_code == 401
    fault = loads(expired.text)["fault"]  # the lowercase SDK shape, as QuickBooks sends it
    assert fault["type"] == "AUTHENTICATION" and fault["error"][0]["code"] == "3200"
    assert "Token expired" in fault["error"][0]["detail"]
    wrong = _get(qbo_sandbox, "select * from Invoice", realm="1")
    assert wrong.status_code == 403 and loads(wrong.text)["Fault"]["Error"][0]["code"] == "3100"


def test_duplicate_doc_number_fault_has_quickbooks_shape(qbo_sandbox: SandboxServer) -> None:
    status, body = _post(qbo_sandbox, "invoice", {
        "DocNumber": "1781", "CustomerRef": {"value": "58"},
        "Line": [{"Amount": "450", "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]})
    assert status == 400
    (error,) = body["Fault"]["Error"]
    assert body["Fault"]["type"] == "ValidationFault" and error["code"] == "6140"
    assert error["Message"] == "Duplicate Document Number Error"
    assert error["Detail"] == ("Duplicate Document Number Error : You must specify a different number. This number "
                               "has already been used. DocNumber=1781 is assigned to TxnType=Invoice with TxnId=3188")


def test_validation_errors_come_together(qbo_sandbox: SandboxServer) -> None:
    status, body = _post(qbo_sandbox, "invoice", {"DocNumber": "D" * 30})
    assert status == 400
    assert [(e["code"], e["element"]) for e in body["Fault"]["Error"]] == [
        ("2020", "CustomerRef"), ("2020", "Line"), ("2050", "DocNumber")]
    assert "Max:21 supported. Supplied length:30" in body["Fault"]["Error"][2]["Detail"]


def test_business_validation_comes_in_an_http_200(qbo_sandbox: SandboxServer) -> None:
    status, body = _post(qbo_sandbox, "payment", {
        "CustomerRef": {"value": "58"}, "TotalAmt": "0",
        "Line": [{"Amount": "150", "LinkedTxn": [{"TxnId": "3167", "TxnType": "Invoice"}]},
                 {"Amount": "150", "LinkedTxn": [{"TxnId": "c1", "TxnType": "CreditMemo"}]}]})
    assert status == 200 and body["Fault"]["Error"][0]["code"] == "6000"


def test_item_faults(qbo_sandbox: SandboxServer) -> None:
    def codes(body: dict) -> list[str]:
        return [e["code"] for e in body["Fault"]["Error"]]

    assert codes(_post(qbo_sandbox, "item", {"Name": "N" * 110, "IncomeAccountRef": {"value": "4"}})[1]) == ["2050"]
    missing = _post(qbo_sandbox, "item", {"Name": "Payroll plus"})[1]
    assert codes(missing) == ["2020"] and missing["Fault"]["Error"][0]["element"] == "IncomeAccountRef"
    assert codes(_post(qbo_sandbox, "item", {"Name": "A", "IncomeAccountRef": {"value": "2"}})[1]) == ["6430"]
    assert codes(_post(qbo_sandbox, "item", {"Name": "Tax: x", "IncomeAccountRef": {"value": "4"}})[1]) == ["2040"]
    assert codes(_post(qbo_sandbox, "item", {"Name": "bookkeeping", "IncomeAccountRef": {"value": "4"}})[1]) == ["6240"]
    status, created = _post(qbo_sandbox, "item", {"Name": "Audit", "IncomeAccountRef": {"value": "4"}})
    assert status == 200 and created["Item"]["Id"] and created["Item"]["IncomeAccountRef"]["name"] == "Sales"


def test_updates_need_the_current_synctoken(qbo_sandbox: SandboxServer) -> None:
    line = [{"Amount": "1", "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]
    base = {"CustomerRef": {"value": "58"}, "Line": line, "sparse": True}
    status, body = _post(qbo_sandbox, "invoice", {**base, "Id": "3188", "SyncToken": "0", "PrivateNote": "x"})
    assert status == 200 and body["Invoice"]["SyncToken"] == "1"
    status, body = _post(qbo_sandbox, "invoice", {**base, "Id": "3188", "SyncToken": "0"})
    assert body["Fault"]["Error"][0]["code"] == "5010"
    status, body = _post(qbo_sandbox, "invoice", {**base, "Id": "99999", "SyncToken": "0"})
    assert body["Fault"]["Error"][0]["code"] == "610"


def test_request_id_makes_writes_idempotent(qbo_sandbox: SandboxServer) -> None:
    body = {"DisplayName": "Brand New Client LLC"}
    first = _post(qbo_sandbox, "customer", body, requestid="r-1")
    again = _post(qbo_sandbox, "customer", body, requestid="r-1")
    assert first == again and first[0] == 200
    assert _post(qbo_sandbox, "customer", body, requestid="r-2")[1]["Fault"]["Error"][0]["code"] == "6240"


def test_batch_answers_per_item(qbo_sandbox: SandboxServer) -> None:
    status, body = _post(qbo_sandbox, "batch", {"BatchItemRequest": [
        {"bId": "1", "operation": "create", "Customer": {"DisplayName": "Stripe"}},
        {"bId": "2", "operation": "create", "Customer": {"DisplayName": "Zeta Partners"}},
    ]})
    assert status == 200
    first, second = body["BatchItemResponse"]
    assert first["bId"] == "1" and first["Fault"]["Error"][0]["code"] == "6240"
    assert "vendor, or employee" in first["Fault"]["Error"][0]["Detail"]
    assert second["Customer"]["DisplayName"] == "Zeta Partners"
    status, body = _post(qbo_sandbox, "batch", {"BatchItemRequest": [{"bId": str(i), "Customer": {}} for i in range(31)]})
    assert status == 400 and body["Fault"]["Error"][0]["code"] == "1040"


# ------------------------------------------------------------------ push tools


def test_push_accepts_a_correct_invoice(qbo_sandbox: SandboxServer) -> None:
    invoice = {"kind": "invoice", "id": "td-1", "doc_number": "2001", "date": "2026-04-01",
               "customer": {"name": "Acme Corp"}, "total": "450.00", "lines": [{"item": "Bookkeeping", "amount": "450.00"}]}
    assert push(qbo_sandbox.url, REALM_ID, SANDBOX_TOKEN, invoice) == []
    (report,) = push(qbo_sandbox.url, REALM_ID, SANDBOX_TOKEN, invoice)  # now the number is taken
    assert report.code == "6140" and report.record == "td-1" and report.http_status == 400


def test_push_reports_what_taxdome_and_quickbooks_say(qbo_host: Host, qbo_sandbox: SandboxServer) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "invoice", "id": "a", "doc_number": "2100", "customer": {"name": "acme corp"}, "total": "1",
          "lines": [{"item": "Bookkeeping", "amount": "1"}]}, "quickbooks.customer_not_found"),
        ({"kind": "invoice", "id": "b", "doc_number": "2101", "customer": {"name": "Initech", "qbo_id": "60"}, "total": "1",
          "lines": [{"item": "Bookkeeping", "amount": "1"}]}, "quickbooks.customer_deleted"),
        ({"kind": "invoice", "id": "c", "doc_number": "2102", "customer": {"name": "Acme Corp"}, "total": "1",
          "lines": [{"item": "Old retainer", "amount": "1"}]}, "quickbooks.invalid_reference"),
        ({"kind": "invoice", "id": "d", "doc_number": "2103", "date": "2025-11-30", "customer": {"name": "Acme Corp"},
          "total": "1", "lines": [{"item": "Bookkeeping", "amount": "1"}]}, "quickbooks.period_closed"),
        ({"kind": "payment", "id": "e", "customer": {"name": "Acme Corp"}, "amount": "10", "method": "Credit Card",
          "invoice_id": "3169"}, "quickbooks.duplicate_name"),
        ({"kind": "expense", "id": "f", "amount": "2.90", "account": {"name": "Undeposited Funds"}},
         "quickbooks.expense_account_type_invalid"),
        ({"kind": "service", "id": "g", "name": "Payroll plus"}, "quickbooks.income_account_missing"),
        # "Another customer is already using this name": the name clashes, not a payment method
        ({"kind": "customer", "id": "h", "name": "Office Depot"}, "quickbooks.name_in_use"),
    ]
    for entity, pid in cases:
        reports = push(qbo_sandbox.url, REALM_ID, SANDBOX_TOKEN, entity)
        assert len(reports) == 1, entity["id"]
        assert reports[0].record == entity["id"]
        assert [d.problem for d in qbo_host.classify(reports[0])] == [pid], entity["id"]


def test_push_with_a_revoked_token(qbo_host: Host, qbo_sandbox: SandboxServer) -> None:
    (report,) = push(qbo_sandbox.url, REALM_ID, "revoked-123", {"kind": "customer", "id": "c", "name": "Zed"})
    assert report.http_status == 401 and report.code == "3200"
    assert qbo_host.classify(report)[0].problem == "quickbooks.sync_disabled"


def test_push_batch(qbo_host: Host, qbo_sandbox: SandboxServer) -> None:
    entities = [
        {"kind": "service", "id": "s1", "name": "Audit support", "income_account": {"name": "Services"}},
        {"kind": "service", "id": "s2", "name": "Advisory retainer", "income_account": {"name": "Accounts Payable (A/P)"}},
        {"kind": "invoice", "id": "i1", "doc_number": "1770", "customer": {"name": "Hooli"}, "total": "1",
         "lines": [{"item": "Payroll", "amount": "1"}]},
        {"kind": "invoice", "id": "i2", "doc_number": "2200", "customer": {"name": "Nobody Inc"}, "total": "1"},
    ]
    answers = push_batch(qbo_sandbox.url, REALM_ID, SANDBOX_TOKEN, entities)
    assert answers["s1"] == []
    assert [qbo_host.classify(r)[0].problem for r in answers["s2"]] == ["quickbooks.service_account_type_invalid"]
    assert [qbo_host.classify(r)[0].problem for r in answers["i1"]] == ["quickbooks.duplicate_document_number"]
    assert answers["i1"][0].params["batch_id"] == "i1" and answers["i1"][0].http_status == 200
    assert [qbo_host.classify(r)[0].problem for r in answers["i2"]] == ["quickbooks.customer_not_found"]
