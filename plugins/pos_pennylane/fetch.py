"""``syncdoctor fetch pos``: the orders of closed business days, from a POS modelled on the
Lightspeed Restaurant K-Series Financial API (vendor-apis.md §4.5).

For each business day from ``since`` to ``until`` (never before the sync's ``start_date``,
which the sync would not import either):

1. ``GET /f/finance/{blId}/closures/{day}``: an open day is skipped and remembered in
   ``state["open_days"]`` so that the next fetch starts again from it. When the POS has no
   closure endpoint (404), the day's ``dataComplete`` flag decides instead;
2. ``GET /f/finance/{blId}/financials/{day}/{day}?pageSize=…``, following
   ``_links.nextPage.href`` (or ``nextPageToken``) page by page. A page served twice does not
   give an order twice (sales are keyed by ``accountFiscId``).

Amounts are read from decimal strings (up to 6 decimals) into :class:`~decimal.Decimal`
and are **not rounded here**: an order keeps the POS's exact values so that
``pos_pennylane.lines_total_mismatch`` compares what the POS really sent. Rounding to the
cent (``ROUND_HALF_UP``) happens once per daily sum, in :mod:`.daily_entry`.

Mapping of a K-Series sale to a ``pos_order``: a line's ``amount`` is
``totalNetAmountWithTax + totalDiscountAmount`` (before its discount) with ``discount`` and
``vat_rate`` (``taxRatePercentage``) kept on the line; the order's ``discount`` is the sum
of its lines' discounts, ``tip`` the sum of its payments' tips, ``total`` what was paid
(``netAmountWithTax + tip`` of every payment), and ``payments`` lists them by method code.
Voided, cancelled and non-sale transactions (``FLOAT``, ``TRANSFER``…) are skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from pydantic import SecretStr, ValidationError

from syncdoctor import (
    FetchResult,
    InputError,
    PosLine,
    PosOrder,
    VendorError,
)
from syncdoctor.vendors.limits import Limits

if TYPE_CHECKING:  # the HTTP client loads when a fetch starts, not with the plugin (start-up time)
    from syncdoctor import VendorClient

__all__ = ["DEFAULT_BASE_URL", "MAX_PAGE_SIZE", "SALE_TYPES", "fetch_orders", "order_from_sale"]

DEFAULT_BASE_URL = "https://api.lsk.lightspeed.app"
MAX_PAGE_SIZE = 1000
SALE_TYPES = ("SALE", "REFUND", "SPLIT")
PLUGIN = "pos_pennylane"
PARIS = ZoneInfo("Europe/Paris")


def _decimal(value: Any, field: str) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            return Decimal(str(value).strip())
        except ArithmeticError:
            pass
    raise VendorError("pos", f"{field}: {str(value)[:30]!r} is not a decimal amount")


def _day(value: Any, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InputError(None, name, f"{str(value)[:30]!r} is not an ISO date (YYYY-MM-DD)") from None


def order_from_sale(sale: Mapping[str, Any], day: dt.date) -> PosOrder | None:
    """One K-Series sale as a ``pos_order`` of ``day``; ``None`` for what is not a sale."""
    if sale.get("cancelled") or sale.get("type", "SALE") not in SALE_TYPES:
        return None
    lines = []
    discount = Decimal(0)
    for raw in sale.get("salesLines") or []:
        net = _decimal(raw.get("totalNetAmountWithTax"), "totalNetAmountWithTax")
        line_discount = _decimal(raw.get("totalDiscountAmount"), "totalDiscountAmount")
        discount += line_discount
        rate = raw.get("taxRatePercentage")
        lines.append(PosLine(
            name=raw.get("name"),
            quantity=_decimal(raw.get("quantity") or "1", "quantity"),
            amount=net + line_discount,
            vat_rate=_decimal(rate, "taxRatePercentage") if rate not in (None, "") else None,
            vat_amount=_decimal(raw.get("taxAmount"), "taxAmount"),
            discount=line_discount,
            sku=raw.get("sku"),
        ))
    paid: list[tuple[str, Decimal, Decimal]] = []  # method, amount received incl. tip, tip
    for raw in sale.get("payments") or []:
        tip = _decimal(raw.get("tip"), "tip")
        amount = _decimal(raw.get("netAmountWithTax"), "netAmountWithTax") + tip
        paid.append((str(raw.get("code") or "unknown"), amount, tip))
    methods = {method for method, _, _ in paid}
    fisc = sale.get("accountFiscId") or sale.get("receiptId") or sale.get("accountReference")
    return PosOrder(
        id=str(fisc) if fisc is not None else None,
        source=PLUGIN,
        business_day=day,
        total=sum((amount for _, amount, _ in paid), Decimal(0)),
        tip=sum((tip for _, _, tip in paid), Decimal(0)),
        discount=discount,
        payment_method=methods.pop() if len(methods) == 1 else None,
        lines=lines,
        payments=[{"method": method, "amount": amount, "tip": tip} for method, amount, tip in paid],
        receipt_id=sale.get("receiptId"),
        sale_type=sale.get("type", "SALE"),
        closed_at=sale.get("timeofCloseAndPaid"),
    )


def _next_href(body: dict[str, Any]) -> str | None:
    """``_links.nextPage.href``; anything but a string there is a malformed page, not the end."""
    links = body.get("_links")
    if links is None:
        return None
    following = links.get("nextPage") if isinstance(links, dict) else links
    if following is None:
        return None
    if not isinstance(following, dict):
        raise VendorError("pos", f"_links.nextPage is not a link object: {str(following)[:60]!r}")
    href = following.get("href")
    if href is None or href == "":
        return None
    if not isinstance(href, str) or len(href) > 4096:
        raise VendorError("pos", f"_links.nextPage is not a link: {str(href)[:60]!r}")
    return href


class _Pos:
    """The HTTP side: closures and paged financials of one business location."""

    def __init__(self, client: VendorClient, location: str, page_size: int) -> None:
        self.client = client
        self.location = location
        self.page_size = page_size
        self.origin = urlsplit(client.base_url)[:2]

    def _json(self, path: str, params: Any = None) -> Any:
        # syncdoctor.loads keeps every number a Decimal: an amount never goes through float
        return self.client.json_of(self.client.request("GET", path, params=params), path)

    def closure(self, day: dt.date) -> str | None:
        """``open``/``closed``, or ``None`` when the POS has no closure endpoint."""
        try:
            body = self._json(f"/f/finance/{self.location}/closures/{day.isoformat()}")
        except VendorError as exc:
            if exc.status == 404:
                return None
            raise
        status = str(body.get("status", "")).lower() if isinstance(body, dict) else ""
        return status if status in ("open", "closed") else None

    def pages(self, day: dt.date, stats: dict[str, int]) -> Iterator[dict[str, Any]]:
        path = f"/f/finance/{self.location}/financials/{day.isoformat()}/{day.isoformat()}"
        params: dict[str, Any] | None = {"pageSize": self.page_size}
        while True:
            body = self._json(path, params)
            stats["pages"] = stats.get("pages", 0) + 1
            if not isinstance(body, dict):
                raise VendorError("pos", f"{path} did not answer a FinancialDto object")
            yield body
            nxt = _next_href(body)
            if not nxt:
                return
            try:
                target = urlsplit(nxt)
                target.port  # noqa: B018 - a malformed port raises here, not later
            except ValueError:
                raise VendorError("pos", f"_links.nextPage is not a valid URL: {nxt[:80]!r}") from None
            if target.scheme and target[:2] != self.origin:
                # never send the bearer token to another host: resume with the token instead
                token = (parse_qs(target.query).get("nextPageToken") or [""])[0]
                if not token:
                    raise VendorError("pos", f"nextPage points to another host ({target.netloc}) without a token")
                params = {"pageSize": self.page_size, "nextPageToken": token}
                continue
            path, params = (target.path + (f"?{target.query}" if target.query else "")), None


def _day_orders(pos: _Pos, day: dt.date, stats: dict[str, int]) -> tuple[list[PosOrder], bool]:
    """Every order of a day (read whole before any is delivered) and whether the POS said
    the day's data is complete. A page served twice does not give an order twice."""
    seen: set[str] = set()
    day_orders: list[PosOrder] = []
    complete = True
    for body in pos.pages(day, stats):
        complete = complete and body.get("dataComplete") is not False
        sales = body.get("sales")
        if not isinstance(sales, list):
            shown = "missing" if sales is None else f"a {type(sales).__name__}, not a list"
            raise VendorError("pos", f"financials of {day} answered 200 but its 'sales' is {shown}; "
                              "the state was not moved")
        for sale in sales:
            if not isinstance(sale, dict):
                raise VendorError("pos", f"financials of {day}: a sale is a {type(sale).__name__}, not an object")
            key = str(sale.get("accountFiscId") or sale.get("receiptId") or "")
            if key and key in seen:
                stats["duplicates"] += 1
                continue
            seen.add(key)
            try:
                order = order_from_sale(sale, day)
            except (ValidationError, ValueError, TypeError, AttributeError, ArithmeticError) as exc:
                detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
                raise VendorError("pos", f"sale {key[:80]!r} of {day} cannot be read: {detail}") from None
            if order is None:
                stats["skipped"] += 1
            else:
                day_orders.append(order)
    return day_orders, complete


def _state(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if not isinstance(value, Mapping):
        raise InputError(None, "state", "the fetch state must be the JSON object a previous fetch returned")
    return dict(value)


def _options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Accept the CLI's dashed or underscored option names alike."""
    return {str(k).lstrip("-").replace("-", "_"): v for k, v in options.items()}


def fetch_orders(options: Mapping[str, Any]) -> FetchResult:
    """The ``fetch_transactions`` answer for source ``pos`` (see the module docstring).

    Options: ``token`` (SecretStr or str, required), ``business_location_id`` (required),
    ``base_url``, ``since``/``until`` (ISO dates; default: from the state or the start date,
    to yesterday in Europe/Paris), ``start_date``, ``page_size`` (at most 1000), ``state``,
    and for tests ``transport`` (an httpx transport) and ``retry`` (a RetryPolicy).
    """
    opts = _options(options)
    token = opts.get("token")
    if not token:
        raise InputError(None, "token", "missing: pass --token or set POS_TOKEN (an OAuth access token)")
    secret = token if isinstance(token, SecretStr) else SecretStr(str(token))
    location = opts.get("business_location_id")
    if not location:
        raise InputError(None, "business_location_id", "missing: pass --business-location-id")
    page_size = int(opts.get("page_size") or MAX_PAGE_SIZE)
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InputError(None, "page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
    state_in = _state(opts.get("state"))
    start_date = _day(opts.get("start_date"), "start_date")
    today = dt.datetime.now(PARIS).date()
    until = _day(opts.get("until"), "until") or today - dt.timedelta(days=1)
    until = min(until, today)  # a day after today is not over: the next fetch must still read it
    explicit = _day(opts.get("since"), "since")
    since = explicit or _day(state_in.get("next_since"), "state.next_since") or start_date
    since = since or until - dt.timedelta(days=6)
    # where a killed or failed fetch stopped: closed days already delivered after the first
    # open one, and the orders delivered of the day in progress (ignored for an explicit --since)
    done_days = set() if explicit else {str(d) for d in state_in.get("done_days") or [] if isinstance(d, str)}
    found = state_in.get("partial")
    partial: dict[str, Any] = found if not explicit and isinstance(found, dict) else {}
    import httpx

    from syncdoctor.vendors.client import RetryPolicy, VendorClient

    client = VendorClient(
        "pos",
        str(opts.get("base_url") or DEFAULT_BASE_URL),
        headers=lambda: {"Authorization": f"Bearer {secret.get_secret_value()}", "Accept": "application/json"},
        retry=opts.get("retry") if isinstance(opts.get("retry"), RetryPolicy) else None,
        transport=opts.get("transport") if isinstance(opts.get("transport"), httpx.BaseTransport) else None,
        limits=Limits.from_options(opts),
    )
    pos = _Pos(client, str(location), page_size)
    open_days: list[str] = []
    delivered_days: list[str] = sorted(d for d in done_days if d >= since.isoformat())
    last: dict[str, dt.date | None] = {"closed": None}

    def mark(resume: dt.date, day_ids: list[str] | None = None, day: dt.date | None = None) -> None:
        """The state to save once every order yielded so far is delivered (set *before* each
        yield, so a host that saves it after writing an order never repeats or skips one)."""
        first = open_days[0] if open_days else resume.isoformat()
        state: dict[str, Any] = {
            "business_location_id": str(location),
            "open_days": list(open_days),
            "next_since": first,
            "last_closed_day": last["closed"].isoformat() if last["closed"] else None,
        }
        done = [d for d in delivered_days if d >= first]
        if done:
            state["done_days"] = done
        if day is not None and day_ids:
            state["partial"] = {"day": day.isoformat(), "ids": list(day_ids)}
        result.state = state

    def orders() -> Iterator[PosOrder]:
        stats = result.stats
        for key in ("days_closed", "days_open", "days_before_start", "orders", "skipped", "duplicates", "pages"):
            stats.setdefault(key, 0)
        day = since
        try:
            while day <= until:
                if start_date is not None and day < start_date:
                    stats["days_before_start"] += 1
                    day += dt.timedelta(days=1)
                    continue
                if day.isoformat() in done_days:  # delivered by the fetch that was interrupted
                    day += dt.timedelta(days=1)
                    continue
                status = pos.closure(day)
                if status == "open":
                    stats["days_open"] += 1
                    open_days.append(day.isoformat())
                    day += dt.timedelta(days=1)
                    continue
                day_orders, complete = _day_orders(pos, day, stats)
                if status is None and not complete:  # no closure endpoint: an incomplete day is open
                    stats["days_open"] += 1
                    open_days.append(day.isoformat())
                else:
                    stats["days_closed"] += 1
                    last["closed"] = day
                    already = set(partial.get("ids") or []) if partial.get("day") == day.isoformat() else set()
                    delivered: list[str] = sorted(already)
                    for order in day_orders:
                        if order.id in already:
                            stats["duplicates"] += 1
                            continue
                        delivered.append(str(order.id))
                        stats["orders"] += 1
                        mark(day, delivered, day)
                        yield order
                    delivered_days.append(day.isoformat())
                day += dt.timedelta(days=1)
                mark(day)
            # the next fetch starts again from the first day that was still open
            mark(max(day, since))
        finally:
            for name, value in client.stats.items():
                stats[f"http_{name}"] = value
            client.close()

    result = FetchResult(orders(), state={"business_location_id": str(location)})
    return result
