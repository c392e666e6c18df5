"""``syncdoctor fetch pos``: K-Series paging, exact decimals, start date, open days, auth."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from syncdoctor import Host, InputError, PosOrder, RetryPolicy, SandboxServer, VendorAuthError, dumps
from syncdoctor_pos_pennylane.fetch import fetch_orders, order_from_sale
from syncdoctor_pos_pennylane.sandbox import SANDBOX_LOCATION, SANDBOX_TOKEN

FAST = RetryPolicy(backoff=0.001, max_wait=0.01)
TOKEN = "s3cr3t-token-value"
BL = "1001"


def _sale(fisc: str, amount: str, rate: str = "10", tip: str = "0", method: str = "CARD") -> dict[str, Any]:
    return {
        "accountFiscId": fisc, "receiptId": f"R-{fisc}", "type": "SALE", "cancelled": False,
        "salesLines": [{"name": "Item", "quantity": "1", "totalNetAmountWithTax": amount, "totalDiscountAmount": "0",
                        "taxRatePercentage": rate, "taxAmount": "1.6667"}],
        "payments": [{"code": method, "netAmountWithTax": amount, "tip": tip}],
    }


class FakePos:
    """A MockTransport handler playing K-Series: days -> sales, some days open."""

    def __init__(self, days: dict[str, list[dict[str, Any]]], open_days: tuple[str, ...] = (),
                 closures: bool = True, page_size_seen: list[str] | None = None, next_host: str | None = None) -> None:
        self.days = days
        self.open_days = open_days
        self.closures = closures
        self.next_host = next_host
        self.requests: list[httpx.Request] = []
        self.page_sizes = page_size_seen if page_size_seen is not None else []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"message": "invalid token"})
        parts = request.url.path.strip("/").split("/")
        if parts[3] == "closures":
            if not self.closures:
                return httpx.Response(404, json={"message": "no such route"})
            status = "open" if parts[4] in self.open_days else "closed"
            return httpx.Response(200, json={"date": parts[4], "status": status, "closures": []})
        day = parts[4]
        sales = self.days.get(day, [])
        size = int(request.url.params["pageSize"])
        self.page_sizes.append(str(size))
        token = request.url.params.get("nextPageToken")
        ids = [s["accountFiscId"] for s in sales]
        first = ids.index(token) if token else 0
        links: dict[str, Any] = {}
        if first + size < len(sales):
            href = f"/f/finance/{BL}/financials/{day}/{day}?pageSize={size}&nextPageToken={ids[first + size]}"
            links["nextPage"] = {"href": (self.next_host + href) if self.next_host else href}
        body = {"sales": sales[first:first + size], "dataComplete": day not in self.open_days, "_links": links}
        # raw text, as a server writes it: the client must never turn these into floats
        return httpx.Response(200, content=json.dumps(body).encode(), headers={"content-type": "application/json"})


def _fetch(pos: FakePos, **options: Any) -> tuple[list[PosOrder], Any]:
    result = fetch_orders({"base_url": "https://pos.test", "token": SecretStr(TOKEN), "business_location_id": BL,
                           "transport": httpx.MockTransport(pos), "retry": FAST, **options})
    return [o for o in result if isinstance(o, PosOrder)], result


def test_pages_are_followed_and_decimals_kept_exact() -> None:
    day = [_sale(f"A{i}", f"{i}.333333") for i in range(1, 6)]
    pos = FakePos({"2026-09-01": day})
    orders, result = _fetch(pos, since="2026-09-01", until="2026-09-01", page_size=2)
    assert [o.id for o in orders] == ["A1", "A2", "A3", "A4", "A5"]
    assert orders[0].lines[0].amount == Decimal("1.333333") and orders[0].total == Decimal("1.333333")
    assert result.stats["pages"] == 3 and result.stats["orders"] == 5
    assert pos.page_sizes == ["2", "2", "2"]


def test_amounts_sent_as_json_numbers_are_read_as_decimal_not_float() -> None:
    sale = _sale("A1", "0")
    sale["salesLines"][0]["totalNetAmountWithTax"] = Decimal("12.345678")
    sale["payments"][0]["netAmountWithTax"] = Decimal("12.345678")
    pos = FakePos({"2026-09-01": [json.loads(dumps(sale).replace('"12.345678"', "12.345678"))]})
    orders, _ = _fetch(pos, since="2026-09-01", until="2026-09-01")
    assert orders[0].total == Decimal("12.345678") and type(orders[0].total) is Decimal


def test_the_token_is_a_bearer_header_and_never_shown() -> None:
    pos = FakePos({"2026-09-01": [_sale("A1", "5.00")]})
    _fetch(pos, since="2026-09-01", until="2026-09-01")
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in pos.requests)
    with pytest.raises(VendorAuthError) as info:
        _fetch(FakePos({}), token="wrong", since="2026-09-01", until="2026-09-01")
    assert info.value.status == 401 and "wrong" not in str(info.value) and TOKEN not in str(info.value)


def test_days_before_the_start_date_are_never_requested() -> None:
    pos = FakePos({"2026-08-30": [_sale("A0", "9.00")], "2026-09-01": [_sale("A1", "5.00")]})
    orders, result = _fetch(pos, since="2026-08-30", until="2026-09-01", start_date="2026-09-01")
    assert [o.id for o in orders] == ["A1"]
    assert all("2026-08-3" not in r.url.path for r in pos.requests)
    assert result.stats["days_before_start"] == 2


def test_the_start_date_is_where_a_first_fetch_begins() -> None:
    pos = FakePos({})
    _, result = _fetch(pos, until="2026-09-02", start_date="2026-09-01")
    assert sorted({r.url.path.split("/")[-1] for r in pos.requests}) == ["2026-09-01", "2026-09-02"]
    assert result.stats["days_closed"] == 2


def test_open_days_are_skipped_and_fetched_again_next_time() -> None:
    pos = FakePos({"2026-09-01": [_sale("A1", "5.00")], "2026-09-02": [_sale("A2", "6.00")]},
                  open_days=("2026-09-02",))
    orders, result = _fetch(pos, since="2026-09-01", until="2026-09-02")
    assert [o.id for o in orders] == ["A1"]
    assert result.state["open_days"] == ["2026-09-02"] and result.state["next_since"] == "2026-09-02"
    assert not any("financials/2026-09-02" in r.url.path for r in pos.requests)
    pos.open_days = ()
    again, second = _fetch(pos, until="2026-09-02", state=result.state)
    assert [o.id for o in again] == ["A2"] and second.state["next_since"] == "2026-09-03"


def test_without_a_closure_endpoint_an_incomplete_day_counts_as_open() -> None:
    pos = FakePos({"2026-09-01": [_sale("A1", "5.00")], "2026-09-02": [_sale("A2", "6.00")]},
                  open_days=("2026-09-02",), closures=False)
    orders, result = _fetch(pos, since="2026-09-01", until="2026-09-02")
    assert [o.id for o in orders] == ["A1"] and result.state["open_days"] == ["2026-09-02"]


def test_a_next_page_on_another_host_is_resumed_with_its_token_not_followed() -> None:
    pos = FakePos({"2026-09-01": [_sale(f"A{i}", "1.00") for i in range(3)]}, next_host="https://evil.test")
    orders, _ = _fetch(pos, since="2026-09-01", until="2026-09-01", page_size=2)
    assert [o.id for o in orders] == ["A0", "A1", "A2"]
    assert {r.url.host for r in pos.requests} == {"pos.test"}


@pytest.mark.parametrize(("options", "field"), [
    ({"token": None}, "token"), ({"business_location_id": ""}, "business_location_id"),
    ({"page_size": 1001}, "page_size"), ({"since": "1st of September"}, "since"),
])
def test_bad_options_name_the_option(options: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as info:
        _fetch(FakePos({}), **{"since": "2026-09-01", "until": "2026-09-01", **options})
    assert info.value.field == field


def test_a_sale_becomes_an_order_with_tips_discounts_and_payments() -> None:
    sale = {
        "accountFiscId": "A9", "type": "SALE",
        "salesLines": [
            {"name": "Plat", "quantity": "2", "totalNetAmountWithTax": "27.550000", "totalDiscountAmount": "1.45",
             "taxRatePercentage": "10", "taxAmount": "2.5045"},
            {"name": "Vin", "quantity": "1", "totalNetAmountWithTax": "5.8", "taxRatePercentage": "20"},
        ],
        "payments": [{"code": "CARD", "netAmountWithTax": "20.00", "tip": "2.00"},
                     {"code": "CASH", "netAmountWithTax": "13.35", "tip": "0"}],
    }
    order = order_from_sale(sale, dt.date(2026, 9, 1))
    assert order is not None
    assert [ln.amount for ln in order.lines] == [Decimal("29.000000"), Decimal("5.8")]
    assert order.discount == Decimal("1.45") and order.tip == Decimal("2.00") and order.total == Decimal("35.35")
    assert order.payment_method is None and [p["method"] for p in order.payments] == ["CARD", "CASH"]
    assert order.source == "pos_pennylane" and order.business_day == dt.date(2026, 9, 1)
    for skipped in ({**sale, "cancelled": True}, {**sale, "type": "VOID"}, {**sale, "type": "FLOAT"}):
        assert order_from_sale(skipped, dt.date(2026, 9, 1)) is None


def test_the_plugin_answers_only_for_source_pos(host: Host) -> None:
    with pytest.raises(InputError, match="no loaded plugin fetches from 'qonto'"):
        host.fetch("qonto", {})
    assert "pos" in host.sources()
    flags = [o.flag for o in host.sources()["pos"]]
    assert flags[:2] == ["--business-location-id", "--token"]
    token = next(o for o in host.sources()["pos"] if o.flag == "--token")
    assert token.secret and token.env == "POS_TOKEN"


def _sandbox_orders(host: Host, server: SandboxServer, **options: Any) -> tuple[list[PosOrder], Any]:
    result = host.fetch("pos", {"base_url": server.url, "token": SANDBOX_TOKEN, "business_location_id": SANDBOX_LOCATION,
                                "since": "2026-08-30", "until": "2026-09-03", "retry": FAST, **options})
    return [o for o in result if isinstance(o, PosOrder)], result


def test_fetch_from_the_sandbox_survives_every_fault(host: Host, make_sandbox: Callable[..., SandboxServer]) -> None:
    clean, _ = _sandbox_orders(host, make_sandbox(), page_size=3)
    faulty, result = _sandbox_orders(host, make_sandbox("429,500,drop,slow,duplicate-page"), page_size=3)
    assert [o.model_dump() for o in faulty] == [o.model_dump() for o in clean]
    assert result.stats["http_retries"] >= 3 and result.stats["duplicates"] > 0
    assert result.state["open_days"] == ["2026-09-03"]
    assert {o.business_day for o in clean} == {dt.date(2026, 8, 30), dt.date(2026, 8, 31), dt.date(2026, 9, 1),
                                              dt.date(2026, 9, 2)}


def test_fetched_orders_serialise_to_jsonl_without_floats(host: Host, make_sandbox: Callable[..., SandboxServer]) -> None:
    orders, _ = _sandbox_orders(host, make_sandbox(), start_date="2026-09-01")
    assert {o.business_day for o in orders} == {dt.date(2026, 9, 1), dt.date(2026, 9, 2)}
    def no_float(text: str) -> None:
        pytest.fail(f"a float {text} in the JSONL")

    for order in orders:
        line = dumps(order.model_dump(mode="json", exclude_none=True))
        parsed = json.loads(line, parse_float=no_float)
        assert parsed["kind"] == "pos_order" and isinstance(parsed["total"], str)
        again = host.parse_entity(parsed)
        assert again.model_dump(mode="json") == order.model_dump(mode="json")
