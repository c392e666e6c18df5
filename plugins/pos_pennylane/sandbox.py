"""``syncdoctor sandbox pos``: a fake POS modelled on the Lightspeed Restaurant K-Series
Financial API, served over loopback.

Routes (bearer token :data:`SANDBOX_TOKEN`, business location :data:`SANDBOX_LOCATION`):

* ``GET /f/data/businesses``: the business and its location;
* ``GET /f/finance/{blId}/financials/{from}/{to}?pageSize=&nextPageToken=``: closed sales
  of the business days from..to (ISO dates), paged (``pageSize`` at most 1000;
  ``nextPageToken`` is the ``accountFiscId`` to resume from, also given as
  ``_links.nextPage.href``); amounts are decimal strings with up to 6 decimals;
* ``GET /f/finance/{blId}/closures/{date}``: ``{"date", "status": "open"|"closed", "closures"}``
  (the POS closure the sync platform reads; K-Series itself has none).

The data: 30-31 August and 1-2 September 2026 are closed, 3 September (:data:`TODAY`) is
still open. There are tips, line discounts, a bill split three ways (``8.333333`` each), a
refund, a voided and a cancelled sale, and on 2 September an order whose tip was not
recorded (paid 25.00 for 22.70 of lines). Faults: the server injects 429/500/drop/slow;
``duplicate-page`` makes every page after the first serve the previous page's sales again.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from syncdoctor import Faults, SandboxRequest, SandboxResponse, SandboxServer

__all__ = ["SANDBOX_LOCATION", "SANDBOX_TOKEN", "TODAY", "PosSandbox", "factory", "sales_of"]

SANDBOX_TOKEN = "pos-sandbox-token"
SANDBOX_LOCATION = "45454565682155"
TODAY = dt.date(2026, 9, 3)
MAX_PAGE_SIZE = 1000

# sku -> (name, unit price incl. VAT, VAT rate %)
ITEMS: dict[str, tuple[str, str, str]] = {
    "ESP": ("Espresso", "2.20", "10"),
    "PLAT": ("Plat du jour", "14.50", "10"),
    "DESS": ("Tarte aux pommes", "6.50", "10"),
    "MENU": ("Menu midi", "22.00", "10"),
    "TABLE": ("Table 4 (addition partagée)", "25.00", "10"),
    "VIN": ("Verre de vin", "5.80", "20"),
    "BIERE": ("Bière pression", "6.00", "20"),
    "SAND": ("Sandwich à emporter", "7.90", "5.5"),
}

PAYMENT_METHOD_IDS = {"CASH": 1, "CARD": 2, "TR": 3}

# day -> [(fisc id, type, [(sku, quantity, discount)], [(method, amount, tip)], cancelled)]
Sale = tuple[str, str, list[tuple[str, str, str]], list[tuple[str, str, str]], bool]
SALES: dict[str, list[Sale]] = {
    "2026-08-30": [
        ("A1001", "SALE", [("MENU", "1", "0"), ("ESP", "1", "0")], [("CARD", "24.20", "0")], False),
        ("A1002", "SALE", [("VIN", "2", "0")], [("CASH", "11.60", "1.00")], False),
        ("A1003", "SALE", [("SAND", "1", "0")], [("TR", "7.90", "0")], False),
    ],
    "2026-08-31": [
        ("A1101", "SALE", [("PLAT", "1", "0"), ("DESS", "1", "0")], [("CARD", "21.00", "0")], False),
        ("A1102", "SALE", [("BIERE", "2", "0")], [("CASH", "12.00", "0")], False),
    ],
    "2026-09-01": [
        ("A1201", "SALE", [("MENU", "1", "0"), ("ESP", "1", "0")], [("CARD", "24.20", "2.00")], False),
        ("A1202", "SALE", [("PLAT", "2", "1.45"), ("VIN", "2", "0")], [("CASH", "39.15", "0")], False),
        ("A1203", "SALE", [("SAND", "2", "0")], [("TR", "15.80", "0")], False),
        ("A1204", "SPLIT", [("TABLE", "1/3", "0")], [("CARD", "8.33", "0")], False),
        ("A1205", "SPLIT", [("TABLE", "1/3", "0")], [("CARD", "8.33", "0")], False),
        ("A1206", "SPLIT", [("TABLE", "1/3", "0")], [("CASH", "8.34", "0")], False),
        ("A1207", "SALE", [("BIERE", "3", "0")], [("CARD", "18.00", "1.50")], False),
        ("A1208", "VOID", [("ESP", "1", "0")], [], False),
        ("A1209", "SALE", [("DESS", "1", "0")], [("CASH", "6.50", "0")], True),
        ("A1210", "REFUND", [("VIN", "-1", "0")], [("CASH", "-5.80", "0")], False),
    ],
    "2026-09-02": [
        ("A1301", "SALE", [("PLAT", "1", "0"), ("BIERE", "1", "0"), ("ESP", "1", "0")], [("CARD", "25.00", "0")], False),
        ("A1302", "SALE", [("MENU", "2", "0")], [("CARD", "44.00", "3.00")], False),
        ("A1303", "SALE", [("DESS", "2", "0"), ("ESP", "2", "0")], [("CASH", "17.40", "0")], False),
        ("A1304", "SALE", [("VIN", "4", "2.32")], [("CARD", "20.88", "0")], False),
        ("A1305", "SALE", [("SAND", "1", "0"), ("ESP", "1", "0")], [("CARD", "5.00", "0"), ("CASH", "5.10", "0")], False),
    ],
    "2026-09-03": [
        ("A1401", "SALE", [("ESP", "2", "0")], [("CASH", "4.40", "0")], False),
    ],
}


def _q(amount: Decimal, places: int) -> str:
    return str(amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _quantity(text: str) -> Decimal:
    """``"2"`` or a share of a split bill, ``"1/3"``."""
    top, _, bottom = text.partition("/")
    return Decimal(top) / Decimal(bottom) if bottom else Decimal(top)


def _sale(day: str, sale: Sale, index: int) -> dict[str, Any]:
    fisc, kind, items, payments, cancelled = sale
    lines = []
    for n, (sku, quantity_text, discount) in enumerate(items, start=1):
        name, price, rate = ITEMS[sku]
        quantity = _quantity(quantity_text)
        net = Decimal(price) * quantity - Decimal(discount)
        tax = net * Decimal(rate) / (100 + Decimal(rate))
        lines.append({
            "id": f"{fisc}-{n}", "parentLineId": None, "sku": sku, "name": name,
            "quantity": _q(quantity, 6).rstrip("0").rstrip("."), "menuListPrice": price, "currency": "EUR",
            # 6 decimals where a split leaves them, as K-Series does
            "totalNetAmountWithTax": _q(net, 6), "totalNetAmountWithoutTax": _q(net - tax, 6),
            "totalDiscountAmount": _q(Decimal(discount), 2),
            "taxCode": f"VAT{rate}", "taxRatePercentage": rate, "taxAmount": _q(tax, 4),
            "taxLines": [{"taxId": f"VAT{rate}", "taxCode": f"VAT{rate}", "taxRate": rate, "taxAmount": _q(tax, 6),
                          "taxIncluded": True}],
            "accountingGroup": {"accountingGroupId": 1, "name": "Food" if rate != "20" else "Alcohol"},
        })
    closed_at = f"{day}T{12 + index % 10:02d}:{(index * 7) % 60:02d}:00+02:00"
    return {
        "accountReference": fisc, "accountFiscId": fisc, "receiptId": f"R-{fisc}", "type": kind,
        "cancelled": cancelled, "timeofOpening": closed_at, "timeofCloseAndPaid": closed_at, "nbCovers": 1,
        "dineIn": not any(sku == "SAND" for sku, _, _ in items), "salesLines": lines,
        "payments": [{"code": method, "description": method, "paymentMethodId": PAYMENT_METHOD_IDS[method],
                      "netAmountWithTax": amount, "tip": tip, "currency": "EUR", "type": "NORMAL",
                      "uuid": f"{fisc}-p{k}"}
                     for k, (method, amount, tip) in enumerate(payments, start=1)],
    }


def sales_of(day: str) -> list[dict[str, Any]]:
    """The closed sales of one business day, as the fake serves them."""
    return [_sale(day, s, i) for i, s in enumerate(SALES.get(day, []))]


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


class PosSandbox:
    """The fake's behaviour: one callable per request (see :class:`syncdoctor.SandboxServer`)."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()

    def __call__(self, request: SandboxRequest) -> SandboxResponse:
        if request.headers.get("authorization") != f"Bearer {SANDBOX_TOKEN}":
            return SandboxResponse(401, {"error": "invalid_token", "message": "The access token is invalid or expired"})
        parts = [p for p in request.path.split("/") if p]
        if parts == ["f", "data", "businesses"]:
            return SandboxResponse(200, {"businesses": [{"businessName": "Bistrot Sandbox", "currencyCode": "EUR",
                                                         "businessLocations": [{"blName": "Bistrot Sandbox Paris",
                                                                                "blID": int(SANDBOX_LOCATION),
                                                                                "country": "FR",
                                                                                "timezone": "Europe/Paris"}]}]})
        if len(parts) >= 4 and parts[:2] == ["f", "finance"]:
            if parts[2] != SANDBOX_LOCATION:
                return SandboxResponse(404, {"message": f"Business location {parts[2][:20]} not found"})
            if len(parts) == 5 and parts[3] == "closures":
                return self._closure(parts[4])
            if len(parts) == 6 and parts[3] == "financials":
                return self._financials(request, parts[4], parts[5])
        return SandboxResponse(404, {"message": f"no route {request.method} {request.path}"})

    def _closure(self, text: str) -> SandboxResponse:
        day = _date(text)
        if day is None:
            return SandboxResponse(400, {"message": f"date {text[:20]!r} is not ISO 8601"})
        status = "open" if day >= TODAY else "closed"
        closures = [] if status == "open" else [{"id": f"Z-{day}", "closedAt": f"{day + dt.timedelta(days=1)}T02:00:00+02:00"}]
        return SandboxResponse(200, {"date": day.isoformat(), "status": status, "closures": closures})

    def _financials(self, request: SandboxRequest, start_text: str, end_text: str) -> SandboxResponse:
        start, end = _date(start_text), _date(end_text)
        if start is None or end is None or end < start:
            return SandboxResponse(400, {"message": "from and to must be ISO 8601 dates, from <= to"})
        if (end - start).days > 365:
            return SandboxResponse(400, {"message": "the period may span at most 365 days"})
        size_text = request.arg("pageSize", "100") or "100"
        if not size_text.isdigit() or not 1 <= int(size_text) <= MAX_PAGE_SIZE:
            return SandboxResponse(400, {"message": f"pageSize must be between 1 and {MAX_PAGE_SIZE}"})
        size = int(size_text)
        sales = []
        day = start
        while day <= end:
            sales.extend(sales_of(day.isoformat()))
            day += dt.timedelta(days=1)
        token = request.arg("nextPageToken")
        ids = [s["accountFiscId"] for s in sales]
        if token and token not in ids:
            return SandboxResponse(400, {"message": f"unknown nextPageToken {token[:20]!r}"})
        first = ids.index(token) if token else 0
        page = sales[first:first + size]
        if self.faults.duplicate_page and first > 0:
            page = sales[max(0, first - size):first] + page
        base = f"/f/finance/{SANDBOX_LOCATION}/financials/{start_text}/{end_text}"
        query: dict[str, Any] = {"pageSize": size, **({"nextPageToken": token} if token else {})}
        links: dict[str, Any] = {"self": {"href": f"{base}?{urlencode(query)}"}}
        if first + size < len(sales):
            nxt = ids[first + size]
            links["nextPage"] = {"href": f"{base}?{urlencode({'pageSize': size, 'nextPageToken': nxt})}"}
        return SandboxResponse(200, {
            "businessName": "Bistrot Sandbox", "businessLocationId": int(SANDBOX_LOCATION),
            "nextStartOfDayAsIso8601": f"{end + dt.timedelta(days=1)}T06:00:00+02:00",
            "dataComplete": end < TODAY, "sales": page, "_links": links,
        })


def factory(port: int = 0, faults: str | None = None) -> SandboxServer:
    """The POS sandbox, not started (``with factory() as server: server.url``)."""
    chosen = Faults(faults)
    return SandboxServer(PosSandbox(chosen), port=port, faults=chosen, name="pos")
