"""The POS sandbox: K-Series-like routes over loopback, closures, paging, faults, its data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from syncdoctor import Faults, Host, SandboxRequest, SandboxServer, loads
from syncdoctor_pos_pennylane.fetch import order_from_sale
from syncdoctor_pos_pennylane.sandbox import SANDBOX_LOCATION, SANDBOX_TOKEN, PosSandbox, factory, sales_of

AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
FIN = f"/f/finance/{SANDBOX_LOCATION}"


def _request(path: str, query: dict[str, list[str]] | None = None, token: str = SANDBOX_TOKEN) -> SandboxRequest:
    return SandboxRequest("GET", path, query or {}, {"authorization": f"Bearer {token}"}, b"")


def test_the_factory_builds_a_server_with_its_faults() -> None:
    with factory(port=0, faults="duplicate-page") as server:
        assert isinstance(server, SandboxServer) and server.faults.duplicate_page
        assert isinstance(server.app, PosSandbox) and server.app.faults is server.faults
        answer = httpx.get(f"{server.url}{FIN}/closures/2026-09-03", headers=AUTH)
        assert answer.json() == {"date": "2026-09-03", "status": "open", "closures": []}
    with pytest.raises(ValueError, match="unknown fault"):
        factory(faults="teapot")


def test_routes_over_loopback(make_sandbox: Callable[..., SandboxServer]) -> None:
    server = make_sandbox()
    with httpx.Client(base_url=server.url) as client:
        assert client.get(f"{FIN}/closures/2026-09-01").status_code == 401
        assert client.get(f"{FIN}/closures/2026-09-01", headers=AUTH).json()["status"] == "closed"
        assert client.get(f"{FIN}/closures/2026-09-03", headers=AUTH).json()["status"] == "open"
        assert client.get("/f/finance/999/closures/2026-09-01", headers=AUTH).status_code == 404
        assert client.get("/f/data/businesses", headers=AUTH).json()["businesses"][0]["businessLocations"][0]["blID"] \
            == int(SANDBOX_LOCATION)
        too_big = client.get(f"{FIN}/financials/2026-09-01/2026-09-01", params={"pageSize": 1001}, headers=AUTH)
        assert too_big.status_code == 400 and "1000" in too_big.json()["message"]
        first = client.get(f"{FIN}/financials/2026-09-01/2026-09-01", params={"pageSize": 4}, headers=AUTH)
        body = loads(first.content)
        assert [s["accountFiscId"] for s in body["sales"]] == ["A1201", "A1202", "A1203", "A1204"]
        assert body["dataComplete"] is True
        second = loads(client.get(body["_links"]["nextPage"]["href"], headers=AUTH).content)
        assert [s["accountFiscId"] for s in second["sales"]] == ["A1205", "A1206", "A1207", "A1208"]
        today = loads(client.get(f"{FIN}/financials/2026-09-03/2026-09-03", headers=AUTH).content)
        assert today["dataComplete"] is False


def test_a_duplicate_page_serves_the_previous_sales_again() -> None:
    app = PosSandbox(Faults("duplicate-page"))
    path = f"{FIN}/financials/2026-09-01/2026-09-01"
    first = app(_request(path, {"pageSize": ["3"]})).body
    second = app(_request(path, {"pageSize": ["3"], "nextPageToken": ["A1204"]})).body
    assert [s["accountFiscId"] for s in second["sales"]] == [
        *(s["accountFiscId"] for s in first["sales"]), "A1204", "A1205", "A1206"]


def test_amounts_are_decimal_strings_with_up_to_six_decimals() -> None:
    lines = [ln for s in sales_of("2026-09-01") for ln in s["salesLines"]]
    amounts = [ln["totalNetAmountWithTax"] for ln in lines] + [ln["taxAmount"] for ln in lines]
    assert all(isinstance(a, str) for a in amounts)
    assert "8.333333" in amounts and any(len(a.split(".")[1]) == 4 for a in amounts)


def test_the_data_has_exactly_one_order_that_does_not_add_up(host: Host) -> None:
    """Days closed with tips, discounts, a split bill and a refund; one unrecorded tip on 2 September."""
    flagged = []
    for day in ("2026-08-30", "2026-08-31", "2026-09-01", "2026-09-02"):
        orders = [o for o in (order_from_sale(s, dt.date.fromisoformat(day)) for s in sales_of(day)) if o]
        for result in host.validate_many(orders):
            flagged += [(day, result.entity, f.problem, f.params.get("likely_cause")) for f in result.findings]
    assert flagged == [("2026-09-02", "A1301", "pos_pennylane.lines_total_mismatch", "unrecorded_tip")]
    kinds = {s["type"] for s in sales_of("2026-09-01")}
    assert {"SALE", "SPLIT", "VOID", "REFUND"} <= kinds
    tips = [Decimal(p["tip"]) for s in sales_of("2026-09-01") for p in s["payments"]]
    assert sum(tips) == Decimal("3.50")
