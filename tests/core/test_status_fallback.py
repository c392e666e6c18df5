"""Issue 14, part 3: never a bare ``unknown`` when the report's HTTP status says more, and no
vendor guessed silently from a status alone; the same answers on both engines."""

from __future__ import annotations

from functools import cache
from itertools import product

import pytest

from syncdoctor import EngineUnavailable, ErrorReport, Host


@cache
def _host(engine: str) -> Host:
    return Host.from_entry_points(engine=engine)


def _both() -> list[Host]:
    hosts = [_host("native")]
    try:
        hosts.append(_host("durable"))
    except EngineUnavailable:
        pass
    return hosts


def _answer(host: Host, **report: object) -> tuple[str, str | None]:
    (diagnosis,) = host.classify(ErrorReport(**report))  # type: ignore[arg-type]
    return diagnosis.problem, diagnosis.vendor


@pytest.mark.parametrize(("status", "problem"), [
    (401, "core.authentication_rejected"), (403, "core.authentication_rejected"), (429, "core.rate_limited"),
    (500, "core.vendor_unavailable"), (503, "core.vendor_unavailable"), (400, "core.data_rejected"),
    (422, "core.data_rejected"),
])
def test_a_status_alone_names_no_vendor(status: int, problem: str) -> None:
    for host in _both():
        assert _answer(host, http_status=status) == (problem, None)


def test_the_status_answers_for_a_vendor_whose_pack_has_nothing_for_it() -> None:
    for host in _both():
        # a vendor nobody loaded is said as given, not replaced by a guess
        assert _answer(host, vendor="xero", http_status=429) == ("core.rate_limited", "xero")
        # a loaded vendor's alias is spoken as its plugin
        assert _answer(host, vendor="qbo", message="nothing we know", http_status=409) == ("core.data_rejected", "quickbooks")


def test_a_vendors_own_signature_still_wins() -> None:
    for host in _both():
        assert _answer(host, vendor="quickbooks", http_status=503) == ("quickbooks.service_error", "quickbooks")
        assert _answer(host, vendor="quickbooks", message="message=InternalServerError; errorCode=003100; statusCode=500",
                       code="3100", http_status=500)[0] == "quickbooks.service_error"


def test_a_text_or_code_of_one_vendor_tells_the_vendor() -> None:
    for host in _both():
        assert _answer(host, message="Duplicate Document Number Error", http_status=400) == (
            "quickbooks.duplicate_document_number", "quickbooks")
        assert _answer(host, code="3200", http_status=401) == ("quickbooks.auth_failed", "quickbooks")


def test_a_text_several_vendors_use_does_not_pick_one() -> None:
    """"503 Service Unavailable" fits QuickBooks and Qonto alike: with its status, the core answers."""
    for host in _both():
        assert _answer(host, message="503 Service Unavailable", http_status=503) == ("core.vendor_unavailable", None)


def test_without_a_status_nothing_changes() -> None:
    for host in _both():
        assert _answer(host, message="The weather is nice today")[0] == "unknown"
        assert _answer(host, vendor="quickbooks", http_status=418)[0] == "unknown"


def test_fallback_texts_are_honest_and_in_both_languages() -> None:
    host = _host("native")
    for status in (401, 429, 503, 422):
        (en,) = host.classify(ErrorReport(http_status=status), lang="en")
        (fr,) = host.classify(ErrorReport(http_status=status), lang="fr")
        assert en.problem == fr.problem and en.causes and fr.causes != en.causes
        assert str(status) in en.causes[0] or "5xx" in en.causes[0]
        assert en.remediation.steps and fr.remediation.steps


def test_both_engines_answer_alike_on_a_grid() -> None:
    hosts = _both()
    if len(hosts) < 2:
        pytest.skip("durable engine unavailable")
    native, durable = hosts
    vendors = [None, "quickbooks", "qonto", "acd", "pos_pennylane", "xero"]
    statuses = [None, 400, 401, 403, 404, 409, 418, 422, 429, 500, 502, 503]
    messages = ["", "Token expired", "503 Service Unavailable", "Duplicate Name Exists Error", "invalid_grant"]
    codes = [None, "3200", "6000"]
    for vendor, status, message, code in product(vendors, statuses, messages, codes):
        report = {"vendor": vendor, "http_status": status, "message": message, "code": code}
        assert _answer(native, **report) == _answer(durable, **report), report
