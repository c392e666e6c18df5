"""The Qonto sandbox: auth, realistic deterministic data, filters, pagination and duplicate pages."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import httpx
import pytest
from qonto_support import ANCHOR
from qonto_support import host as make_host

from syncdoctor import Faults, SandboxServer, loads
from syncdoctor_qonto.sandbox import factory
from syncdoctor_qonto.sandbox_data import ACCOUNT_IBAN, build_data

AUTH = {"Authorization": "sandbox:sandbox"}


@pytest.fixture(scope="module")
def server():
    with factory(anchor=ANCHOR) as running:
        yield running


def get(server: SandboxServer, path: str, params=None, headers=AUTH) -> httpx.Response:
    return httpx.get(server.url + path, params=params, headers=headers, timeout=5)


def test_the_host_lists_the_sandbox_and_the_factory_builds_an_unstarted_server():
    host = make_host()
    built = host.sandboxes()["qonto"](port=0, faults="429,500")
    assert isinstance(built, SandboxServer) and built.faults.names == ["429", "500"]
    with built:  # (stop() on a server never started would wait for it forever)
        assert built.url.startswith("http://127.0.0.1:")


def test_wrong_credentials_get_a_json_api_401(server):
    for headers in ({}, {"Authorization": "sandbox:nope"}, {"Authorization": "Basic c2FuZGJveDpzYW5kYm94"}):
        response = get(server, "/v2/organization", headers=headers)
        assert response.status_code == 401
        body = response.json()
        assert body["errors"][0]["code"] == "unauthorized" and body["trace_id"]


def test_api_key_and_bearer_are_accepted(server):
    assert get(server, "/v2/organization").json()["organization"]["bank_accounts"][0]["iban"] == ACCOUNT_IBAN
    assert get(server, "/v2/organization", headers={"Authorization": "Bearer sandbox"}).status_code == 200


def test_an_account_is_required_and_unknown_routes_answer_404(server):
    response = get(server, "/v2/transactions")
    assert response.status_code == 422 and response.json()["errors"][0]["source"] == {"parameter": "iban"}
    assert get(server, "/v2/nothing").status_code == 404


def test_months_of_transactions_of_every_side_and_operation_type():
    data = build_data(ANCHOR)
    txs = data.transactions
    assert len(txs) > 120
    assert {t["operation_type"] for t in txs} >= {"card", "transfer", "direct_debit", "income", "qonto_fee",
                                                  "cheque", "swift_income"}
    assert Counter((t["operation_type"], t["side"]) for t in txs)[("transfer", "credit")] > 0
    assert {t["status"] for t in txs} == {"completed", "pending", "declined"}
    months = {t["settled_at"][:7] for t in txs if t["settled_at"]}
    assert len(months) >= 4
    booked = [t for t in txs if t["note"] == "#Comptabilise"]
    assert len(booked) > 5 and any(t["label"] == "AARO" and t["amount_cents"] == 30 for t in booked)
    with_files = [t for t in txs if t["attachment_ids"]]
    assert len(with_files) > 10
    types = {a["file_content_type"] for t in with_files for a in data.attachments[t["id"]]}
    assert {"application/pdf", "image/jpeg", "image/heic"} <= types
    assert max(int(a["file_size"]) for files in data.attachments.values() for a in files) > 30 * 1024 * 1024
    assert all(t["amount_cents"] == int(t["amount"] * 100) for t in txs)


def test_client_invoices_in_every_status():
    invoices = build_data(ANCHOR).client_invoices
    assert {i["status"] for i in invoices} == {"draft", "unpaid", "paid", "canceled"}
    assert all(i["number"] is None for i in invoices if i["status"] == "draft")
    seed = next(i for i in invoices if i["number"] == "F-2026-012")
    assert (seed["client"]["name"], seed["total_amount"]["value"], seed["status"]) == ("ACD GROUPE", "28200.00",
                                                                                       "unpaid")


def test_the_same_anchor_gives_the_same_data_and_another_anchor_moves_it():
    assert build_data(ANCHOR) == build_data(ANCHOR)
    later = build_data(ANCHOR + dt.timedelta(days=30))
    assert later.transactions[0]["settled_at"] != build_data(ANCHOR).transactions[0]["settled_at"]


def test_filters_and_pagination_meta(server):
    params = {"iban": ACCOUNT_IBAN, "status[]": "completed", "settled_at_from": "2026-05-01T00:00:00.000Z",
              "settled_at_to": "2026-05-31T23:59:59.999Z", "per_page": "10", "sort_by": "settled_at:asc"}
    first = loads(get(server, "/v2/transactions", params).content)
    meta = first["meta"]
    assert meta["current_page"] == 1 and meta["next_page"] == 2 and meta["prev_page"] is None
    assert meta["total_pages"] == -(-meta["total_count"] // 10)
    settled = [t["settled_at"] for t in first["transactions"]]
    assert settled == sorted(settled) and all(s.startswith("2026-05") for s in settled)
    last = loads(get(server, "/v2/transactions", {**params, "current_page": str(meta["total_pages"])}).content)
    assert last["meta"]["next_page"] is None
    bad = get(server, "/v2/transactions", {**params, "per_page": "500"})
    assert bad.status_code == 422


def test_invoice_filters_match_nothing_for_invalid_statuses(server):
    assert get(server, "/v2/client_invoices", {"filter[status]": "cancelled"}).json()["client_invoices"] == []
    drafts = get(server, "/v2/client_invoices", {"filter[status]": "draft"}).json()["client_invoices"]
    assert drafts and {i["status"] for i in drafts} == {"draft"}


def test_attachments_of_a_transaction(server):
    data = build_data(ANCHOR)
    tx = next(t for t in data.transactions if t["attachment_ids"])
    body = get(server, f"/v2/transactions/{tx['id']}/attachments").json()
    assert [a["id"] for a in body["attachments"]] == tx["attachment_ids"]
    assert isinstance(body["attachments"][0]["file_size"], str)


def test_duplicate_page_serves_the_first_page_again_and_loses_nothing():
    params = {"iban": ACCOUNT_IBAN, "per_page": "25", "sort_by": "settled_at:asc"}
    with factory(anchor=ANCHOR, faults="duplicate-page") as dup, factory(anchor=ANCHOR) as plain:
        def walk(server):
            pages, page = [], 1
            while page:
                body = get(server, "/v2/transactions", {**params, "current_page": str(page)}).json()
                pages.append([t["id"] for t in body["transactions"]])
                page = body["meta"]["next_page"]
            return pages
        clean, doubled = walk(plain), walk(dup)
    assert doubled[0] == doubled[1] == clean[0]
    assert doubled[2:] == clean[1:]
    assert len(doubled) == len(clean) + 1


def test_transport_faults_are_injected_by_the_core_server():
    with factory(anchor=ANCHOR, faults=Faults("429", every=1, retry_after=3)) as server:
        response = get(server, "/v2/organization")
        assert response.status_code == 429 and response.headers["retry-after"] == "3"
        assert get(server, "/v2/organization").status_code == 200  # the retry of the same request succeeds
