"""The demo section: same transactions with every fault, findings with problem ids, both languages."""

from __future__ import annotations

import time

import pytest
from qonto_support import host as make_host

from syncdoctor import DemoSection


@pytest.fixture(scope="module")
def host():
    return make_host()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_demo_section(host, lang):
    spec = host.plugins["qonto"].spec
    assert spec.demo is not None
    started = time.monotonic()
    section = spec.demo(host, lang)
    elapsed = time.monotonic() - started
    assert isinstance(section, DemoSection) and (section.name, section.title) == ("qonto", "Qonto")
    first = section.events[0]
    assert (first.stage, first.outcome) == ("fetch", "ok"), first.detail
    assert "429,500,drop,duplicate-page,slow" in first.detail
    assert set(section.problems) >= {
        "qonto.transaction_already_booked", "qonto.attachment_too_large", "qonto.attachment_unsupported_type",
        "qonto.invoice_status_not_importable", "qonto.connection_failed", "qonto.sync_failed",
    }
    assert "rejected" not in section.counts
    auth = next(e for e in section.events if e.problem == "qonto.connection_failed")
    assert ("1 request" if lang == "en" else "1 requête") in auth.detail
    payment = next(e for e in section.events if e.entity and "FS9289482" in e.detail)
    assert "FAARO" in payment.detail and "51210000" in payment.detail and "09/06/2026" in payment.detail
    if lang == "fr":
        assert any("Mo" in e.detail for e in section.events if e.problem == "qonto.attachment_too_large")
    assert section.to_json()["name"] == "qonto"
    assert elapsed < 15
