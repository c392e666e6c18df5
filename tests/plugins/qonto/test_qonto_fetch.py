"""fetch_transactions("qonto", ...) against httpx.MockTransport: auth, params, pages, faults, state."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from qonto_support import ANCHOR, LOGIN, NOW, SECRET, TOKEN, ids, no_sleep, options, sandbox_transport
from qonto_support import host as make_host

from syncdoctor import Faults, InputError, VendorAuthError, VendorError, dumps
from syncdoctor_qonto.checks import is_booked
from syncdoctor_qonto.sandbox import QontoSandbox
from syncdoctor_qonto.sandbox_data import ACCOUNT_IBAN, build_data
from syncdoctor_qonto.window import PARIS, parse_instant

WINDOW_START = dt.datetime(2026, 4, 10, tzinfo=PARIS)
WINDOW_END = dt.datetime(2026, 6, 10, tzinfo=PARIS)


@pytest.fixture(scope="module")
def host():
    return make_host()


def expected_transactions(include_booked: bool = False) -> list[str]:
    """What the fetch must return, computed from the sandbox data independently of the fetch code."""
    out = []
    for t in build_data(ANCHOR).transactions:
        if t["status"] != "completed" or not t["settled_at"]:
            continue
        when = parse_instant(t["settled_at"])
        if not WINDOW_START <= when < WINDOW_END:
            continue
        if is_booked(t["note"]) and not include_booked:
            continue
        out.append(t["id"])
    return out


def query(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(str(request.url)).query, keep_blank_values=True)


def refused():
    """``pytest.raises`` for the plugin's QontoAuthError, by its core base class: the class object
    itself may be re-imported when a test purges ``sys.modules`` (tests/core/test_exports.py)."""
    return pytest.raises(VendorAuthError)


def tx_requests(seen: list[httpx.Request]) -> list[httpx.Request]:
    return [r for r in seen if r.url.path == "/v2/transactions"]


# ---------------------------------------------------------------- auth and parameters


def test_api_key_header_is_login_colon_secret_not_basic(host):
    seen: list[httpx.Request] = []
    real_key = options(sandbox_transport(seen=seen), login=LOGIN, secret_key=SECRET, iban=ACCOUNT_IBAN)
    with refused():  # the sandbox only knows sandbox:sandbox
        list(host.fetch("qonto", real_key))
    assert seen[0].headers["authorization"] == f"{LOGIN}:{SECRET}"
    assert not seen[0].headers["authorization"].startswith("Basic")


def test_oauth_token_is_a_bearer_and_wins_over_the_api_key(host):
    seen: list[httpx.Request] = []
    result = host.fetch("qonto", options(sandbox_transport(seen=seen), token="sandbox", iban=ACCOUNT_IBAN))
    assert ids(list(result)) == expected_transactions()
    assert {r.headers["authorization"] for r in seen} == {"Bearer sandbox"}


def test_transaction_query_parameters(host):
    seen: list[httpx.Request] = []
    list(host.fetch("qonto", options(sandbox_transport(seen=seen), iban=ACCOUNT_IBAN, per_page=50)))
    q = query(tx_requests(seen)[0])
    assert q["iban"] == [ACCOUNT_IBAN]
    assert q["status[]"] == ["completed"]
    assert q["settled_at_from"] == ["2026-04-09T22:00:00.000Z"]  # 10 April 00:00 Paris
    assert q["settled_at_to"] == ["2026-06-09T21:59:59.999Z"]  # 9 June 23:59:59.999 Paris
    assert q["sort_by"] == ["settled_at:asc"]
    assert q["current_page"] == ["1"] and q["per_page"] == ["50"]
    assert [query(r)["current_page"] for r in tx_requests(seen)] == [["1"], ["2"]]


def test_bank_account_id_instead_of_iban(host):
    seen: list[httpx.Request] = []
    account_id = build_data(ANCHOR).organization["bank_accounts"][0]["id"]
    result = list(host.fetch("qonto", options(sandbox_transport(seen=seen), bank_account_id=account_id)))
    assert ids(result) == expected_transactions()
    assert query(tx_requests(seen)[0])["bank_account_id"] == [account_id]
    assert "iban" not in query(tx_requests(seen)[0])


def test_without_an_account_every_account_of_the_organization_is_fetched(host):
    seen: list[httpx.Request] = []
    result = list(host.fetch("qonto", options(sandbox_transport(seen=seen))))
    assert seen[0].url.path == "/v2/organization"
    assert ids(result) == expected_transactions()
    assert {e.account for e in result} == {ACCOUNT_IBAN}


def test_pages_are_followed_until_next_page_is_null(host):
    seen: list[httpx.Request] = []
    result = host.fetch("qonto", options(sandbox_transport(seen=seen), iban=ACCOUNT_IBAN, per_page=7))
    got = list(result)
    assert ids(got) == expected_transactions()
    pages = -(-(len(expected_transactions()) + result.stats["skipped_booked"]) // 7)
    assert len(tx_requests(seen)) == pages == result.stats["pages"]


def test_amounts_are_exact_decimals_and_entities_are_complete(host):
    got = list(host.fetch("qonto", options(sandbox_transport(), iban=ACCOUNT_IBAN)))
    assert all(isinstance(e.amount, Decimal) and e.amount.as_tuple().exponent == -2 for e in got)  # 401.60
    assert {e.operation_type for e in got} >= {"card", "transfer", "direct_debit", "income", "qonto_fee"}
    assert {e.side for e in got} == {"credit", "debit"}
    assert all(e.source == "qonto" and e.kind == "bank_transaction" for e in got)
    big = next(e for e in got if any(a.filename == "releve-scan-600dpi.pdf" for a in e.attachments))
    assert big.attachments[0].size == 35 * 1024 * 1024 and big.attachments[0].content_type == "application/pdf"
    edge = [e for e in got if e.label == "Uber" and e.amount == Decimal("18.90")]
    assert len(edge) == 1  # yesterday 23:59:30 Paris is in; today 00:00:10 is not
    assert not any(e.amount == Decimal("21.40") and e.label == "Uber" for e in got)


def test_booked_transactions_are_skipped_and_counted(host):
    result = host.fetch("qonto", options(sandbox_transport(), iban=ACCOUNT_IBAN))
    got = list(result)
    booked = len(expected_transactions(include_booked=True)) - len(expected_transactions())
    assert booked > 0
    assert result.stats["skipped_booked"] == booked and result.stats["booked"] == booked
    assert not any(is_booked(e.note, e.tags) for e in got)
    audit = list(host.fetch("qonto", options(sandbox_transport(), iban=ACCOUNT_IBAN, include_booked="yes")))
    assert ids(audit) == expected_transactions(include_booked=True)
    assert any(e.tags == ["#Comptabilise"] for e in audit)


def test_the_window_is_checked_again_on_our_side(host):
    """An API that ignored settled_at_from/to must not widen the result."""
    app = QontoSandbox(build_data(ANCHOR))
    inner = sandbox_transport(app)

    def strip_window(request: httpx.Request) -> httpx.Response | None:
        if request.url.path != "/v2/transactions":
            return None
        kept = [(k, v) for k, v in request.url.params.multi_items() if not k.startswith("settled_at")]
        return inner.handle_request(httpx.Request("GET", request.url.copy_with(params=kept), headers=request.headers))

    result = host.fetch("qonto", options(sandbox_transport(app, before=strip_window), iban=ACCOUNT_IBAN))
    assert ids(list(result)) == expected_transactions()
    assert result.stats["outside_window"] > 0


# ---------------------------------------------------------------- faults


def test_429_honours_retry_after_with_the_injected_sleep(host):
    retry, slept = no_sleep()
    throttled = {"done": False}

    def once(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v2/transactions" and not throttled["done"]:
            throttled["done"] = True
            return httpx.Response(429, headers={"Retry-After": "7"}, json={"errors": [{"code": "too_many_requests"}]})
        return None

    result = host.fetch("qonto", options(sandbox_transport(before=once), iban=ACCOUNT_IBAN, retry=retry))
    assert ids(list(result)) == expected_transactions()
    assert slept == [7.0]
    assert result.stats["throttled"] == 1 and result.stats["retries"] == 1


def test_5xx_and_dropped_connections_are_retried(host):
    retry, slept = no_sleep()
    count = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response | None:
        count["n"] += 1
        if count["n"] == 2:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        if count["n"] == 3:
            return httpx.Response(503, json={"errors": [{"code": "unavailable"}]})
        return None

    result = host.fetch("qonto", options(sandbox_transport(before=flaky), iban=ACCOUNT_IBAN, retry=retry))
    assert ids(list(result)) == expected_transactions()
    assert result.stats["dropped"] == 1 and result.stats["server_errors"] == 1 and len(slept) == 2


def test_a_page_served_twice_is_deduplicated_by_id(host):
    app = QontoSandbox(build_data(ANCHOR), Faults("duplicate-page"))
    result = host.fetch("qonto", options(sandbox_transport(app), iban=ACCOUNT_IBAN, per_page=10))
    got = list(result)
    assert ids(got) == expected_transactions()
    assert result.stats["duplicates"] == 10


def test_401_stops_at_once_with_a_diagnosis(host):
    seen: list[httpx.Request] = []
    retry, slept = no_sleep()
    previous = {"last_integration": "2026-05-01T00:00:00+02:00"}
    result = host.fetch("qonto", options(sandbox_transport(seen=seen), secret_key="wrong", retry=retry,
                                         iban=ACCOUNT_IBAN, state=previous))
    with pytest.raises(VendorAuthError) as caught:
        list(result)
    assert len(seen) == 1 and slept == []  # no retry: Qonto throttles clients that pile up 401s
    assert type(caught.value).__name__ == "QontoAuthError" and caught.value.status == 401
    assert caught.value.problem == "qonto.connection_failed"
    assert "qonto.connection_failed" in str(caught.value)
    assert result.state == previous  # nothing moved
    diag = host.classify({"vendor": "qonto", "message": str(caught.value), "http_status": 401})[0]
    assert diag.problem == "qonto.connection_failed"


def test_403_stops_at_once_too(host):
    seen: list[httpx.Request] = []
    forbidden = lambda r: httpx.Response(403, json={"errors": [{"code": "forbidden", "detail": "missing scope"}]})  # noqa: E731
    with pytest.raises(VendorAuthError, match="missing scope"):
        list(host.fetch("qonto", options(sandbox_transport(before=forbidden, seen=seen), iban=ACCOUNT_IBAN)))
    assert len(seen) == 1


def test_secrets_never_appear_in_reprs_logs_exceptions_or_state(host, caplog):
    caplog.set_level(logging.DEBUG)
    retry, _ = no_sleep()
    calls = {"n": 0}

    def refuse_later(request: httpx.Request) -> httpx.Response | None:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(500, json={"errors": [{"code": "internal"}]})
        return httpx.Response(401, json={"errors": [{"code": "unauthorized", "detail": "Invalid credentials"}],
                                         "trace_id": "t1"})

    for creds in ({"login": LOGIN, "secret_key": SECRET}, {"token": TOKEN}):
        result = host.fetch("qonto", options(sandbox_transport(before=refuse_later), retry=retry, iban=ACCOUNT_IBAN,
                                             **creds))
        with refused() as caught:
            list(result)
        calls["n"] = 0
        shown = " ".join([repr(result), repr(getattr(result, "plan", "")), str(caught.value), repr(caught.value),
                          repr(caught.value.args), dumps(result.state), dumps(result.stats), caplog.text])
        for secret in (SECRET, TOKEN):
            assert secret not in shown
    assert "retry" in caplog.text  # the log did run


def test_an_error_that_retrying_cannot_fix_is_raised_with_the_vendor_message(host):
    bad = lambda r: httpx.Response(422, json={"errors": [{"code": "invalid", "detail": "iban is invalid"}]})  # noqa: E731
    with pytest.raises(VendorError, match="iban is invalid"):
        list(host.fetch("qonto", options(sandbox_transport(before=bad), iban="FR00")))


# ---------------------------------------------------------------- where it stopped


def test_state_after_a_complete_fetch_and_the_next_window(host):
    result = host.fetch("qonto", options(sandbox_transport(), iban=ACCOUNT_IBAN))
    list(result)
    assert result.state["last_integration"] == "2026-06-10T00:00:00+02:00"
    assert "resume" not in result.state
    seen: list[httpx.Request] = []
    later = host.fetch("qonto", options(sandbox_transport(seen=seen), iban=ACCOUNT_IBAN, state=result.state,
                                        now=dt.datetime(2026, 6, 12, 9, 0, tzinfo=dt.UTC)))
    got = list(later)  # the next window holds the one transaction of the anchor day, 00:00:10 Paris
    assert [(e.label, e.amount) for e in got] == [("Uber", Decimal("21.40"))]
    assert query(tx_requests(seen)[0])["settled_at_from"] == ["2026-06-09T22:00:00.000Z"]
    assert later.state["last_integration"] == "2026-06-12T00:00:00+02:00"


def test_the_same_day_nothing_is_requested(host):
    seen: list[httpx.Request] = []
    state = {"last_integration": "2026-06-10T00:00:00+02:00"}
    result = host.fetch("qonto", options(sandbox_transport(seen=seen), iban=ACCOUNT_IBAN, state=state))
    assert list(result) == [] and seen == [] and result.state == state


@pytest.mark.parametrize("stop_after", [1, 7, 10, 23])
def test_an_interrupted_fetch_resumes_exactly_where_it_stopped(host, stop_after):
    app = QontoSandbox(build_data(ANCHOR), Faults("duplicate-page"))
    first = host.fetch("qonto", options(sandbox_transport(app), iban=ACCOUNT_IBAN, per_page=10))
    delivered = []
    for entity in first:
        delivered.append(entity.id)
        if len(delivered) == stop_after:
            break
    assert "resume" in first.state and "last_integration" not in first.state
    rest = host.fetch("qonto", options(sandbox_transport(app), iban=ACCOUNT_IBAN, per_page=10, state=first.state))
    delivered += ids(list(rest))
    assert delivered == expected_transactions()
    assert "resume" not in rest.state and rest.state["last_integration"] == "2026-06-10T00:00:00+02:00"


def test_after_an_error_the_next_fetch_resumes_the_same_window(host):
    retry, _ = no_sleep()

    def page_two_down(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v2/transactions" and request.url.params.get("current_page") == "2":
            return httpx.Response(500, json={"errors": [{"code": "internal"}]})
        return None

    first = host.fetch("qonto", options(sandbox_transport(before=page_two_down), iban=ACCOUNT_IBAN, per_page=10,
                                        retry=retry))
    delivered = []
    with pytest.raises(VendorError, match="gave up"):
        for entity in first:
            delivered.append(entity.id)
    assert first.state["resume"]["page"] == 2
    later = dict(options(sandbox_transport(), iban=ACCOUNT_IBAN, per_page=10, state=first.state))
    later["now"] = dt.datetime(2026, 6, 11, 9, 0, tzinfo=dt.UTC)  # even the next day, the stored window is resumed
    rest = host.fetch("qonto", later)
    delivered += ids(list(rest))
    assert delivered == expected_transactions()
    assert rest.state["last_integration"] == "2026-06-10T00:00:00+02:00"


def test_explicit_since_until_fetch_a_chosen_period_without_moving_last_integration_back(host):
    state = {"last_integration": "2026-06-10T00:00:00+02:00"}
    result = host.fetch("qonto", options(sandbox_transport(), iban=ACCOUNT_IBAN, since="2026-03-01",
                                         until="2026-03-31", state=state))
    got = list(result)
    assert got and all(dt.date(2026, 3, 1) <= e.settled_at.astimezone(PARIS).date() <= dt.date(2026, 3, 31)
                       for e in got)
    assert result.state["last_integration"] == "2026-06-10T00:00:00+02:00"


# ---------------------------------------------------------------- client invoices and options


def test_client_invoices_by_status_within_the_window(host):
    seen: list[httpx.Request] = []
    result = host.fetch("qonto", options(sandbox_transport(seen=seen), iban=ACCOUNT_IBAN, invoices=True))
    got = [e for e in result if e.kind == "client_invoice"]
    calls = [query(r) for r in seen if r.url.path == "/v2/client_invoices"]
    assert [c["filter[status]"] for c in calls] == [["unpaid"], ["paid"], ["canceled"]]
    assert calls[0]["filter[updated_at_from]"] == ["2026-04-09T22:00:00.000Z"]
    assert {e.status for e in got} == {"unpaid", "paid", "canceled"}
    seed = next(e for e in got if e.number == "F-2026-012")
    assert (seed.total, seed.vat_amount, seed.client.name) == (Decimal("28200.00"), Decimal("4700.00"), "ACD GROUPE")
    drafts = list(host.fetch("qonto", options(sandbox_transport(), iban=ACCOUNT_IBAN, invoices="yes",
                                              invoice_statuses="draft")))
    assert drafts and all(e.kind == "bank_transaction" or e.status == "draft" for e in drafts)


def test_credentials_are_required_and_may_come_from_the_environment(host, monkeypatch):
    for name in ("QONTO_LOGIN", "QONTO_SECRET_KEY", "QONTO_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    bare = options(sandbox_transport(), iban=ACCOUNT_IBAN)
    del bare["login"], bare["secret_key"]
    with pytest.raises(InputError, match="QONTO_SECRET_KEY"):
        host.fetch("qonto", bare)
    monkeypatch.setenv("QONTO_LOGIN", "sandbox")
    monkeypatch.setenv("QONTO_SECRET_KEY", "sandbox")
    assert ids(list(host.fetch("qonto", bare))) == expected_transactions()


def test_bad_options_are_refused_before_any_request(host):
    with pytest.raises(InputError, match="canceled"):
        host.fetch("qonto", options(sandbox_transport(), invoice_statuses="cancelled"))
    with pytest.raises(InputError, match="state"):
        host.fetch("qonto", options(sandbox_transport(), state=["not", "a", "dict"]))
    with pytest.raises(InputError, match="aware"):
        host.fetch("qonto", options(sandbox_transport(), now=dt.datetime(2026, 6, 10)))


def test_other_sources_are_not_answered(host):
    from syncdoctor_qonto import plugin

    assert plugin.fetch_transactions("lightspeed", {}) is None
    assert NOW.tzinfo is not None


def test_records_take_cents_first_and_the_direction_from_side():
    from syncdoctor_qonto.records import bank_transaction, client_invoice, hashtags, money

    assert money({"amount": "0.1", "amount_cents": 10}, "amount") == Decimal("0.10")
    assert money({"total_amount": {"value": "28200.00", "currency": "EUR"}}, "total_amount") == Decimal("28200.00")
    assert money({"amount": 1.5}, "amount") is None  # a binary float is never trusted with money
    tx = bank_transaction({"id": "x", "amount": "-12.50", "note": "ok #Comptabilisé #TVA"}, "FR76", [])
    assert (tx.side, tx.amount, tx.tags) == ("debit", Decimal("12.50"), ["#Comptabilisé", "#TVA"])
    assert bank_transaction({"id": "y", "amount": "12.50", "side": "debit"}, "FR76", []).side == "debit"
    assert hashtags(None) == []
    invoice = client_invoice({"id": "i", "invoice_number": "F-1", "client": {"first_name": "Marie", "last_name": "Curie"},
                              "total_amount_cents": 1252, "status": "paid"})
    assert (invoice.number, invoice.client.name, invoice.total) == ("F-1", "Marie Curie", Decimal("12.52"))
