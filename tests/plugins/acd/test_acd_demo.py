"""The "Qonto → ACD" demo section: alone, with a qonto plugin, and when the qonto side fails."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pytest

from syncdoctor import (
    DemoSection,
    FetchResult,
    Host,
    RulePackPlugin,
    SandboxRequest,
    SandboxResponse,
    SandboxServer,
    hookimpl,
)
from syncdoctor_acd import plugin as acd_plugin


def _run(host: Host, lang: str = "en") -> DemoSection:
    demo = host.plugins["acd"].spec.demo
    assert demo is not None
    return demo(host, lang)


def _by(section: DemoSection, **match: Any) -> list[Any]:
    return [e for e in section.events if all(getattr(e, k) == v for k, v in match.items())]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_demo_runs_the_whole_loop_without_qonto(lang: str) -> None:
    host = Host([acd_plugin])
    started = time.perf_counter()
    section = _run(host, lang)
    assert time.perf_counter() - started < 3
    assert (section.name, section.title) == ("qonto_acd", "Qonto → ACD")
    assert _by(section, stage="fetch", outcome="skipped")
    # pre-flight sees the seed's problems before anything is sent
    flagged = {(e.entity, e.problem) for e in _by(section, outcome="flagged")}
    assert {("inv-aaro", "acd.auxiliary_code_invalid"), ("inv-aaro", "acd.analytics_allocation_missing"),
            ("inv-bureau", "acd.auxiliary_code_invalid"), ("inv-orange", "acd.invoice_number_disabled"),
            ("bank-fee-0331", "acd.dms_permission_denied")} == flagged
    # ACD rejects them and the rejections are classified as the same problems
    classified = {(e.entity, e.problem) for e in _by(section, stage="classify")}
    assert flagged <= classified
    # the auxiliary codes are fixed automatically, and the entry without other problems is accepted on resend
    fixed = _by(section, outcome="fixed")
    assert {e.entity for e in fixed} == {"inv-aaro", "inv-bureau"}
    assert all(e.automatic and e.system == "qonto" for e in fixed)
    assert "XAARO -> FAARO" in next(e.detail for e in fixed if e.entity == "inv-aaro")
    assert _by(section, stage="resend", outcome="accepted", entity="inv-bureau")
    # what needs a person says where
    person = {e.problem: e for e in _by(section, outcome="needs_person")}
    assert set(person) == {"acd.analytics_allocation_missing", "acd.invoice_number_disabled",
                           "acd.dms_permission_denied"}
    assert all(e.system == "acd" and e.automatic is False for e in person.values())
    assert {e.entity for e in _by(section, stage="push", outcome="accepted")} == {
        "tx-aaro-0326", "pay-fs9289482", "sale-f2026-012"}
    assert section.notes and section.to_json()["problems"]


def test_demo_speaks_french() -> None:
    section = _run(Host([acd_plugin]), "fr")
    details = " ".join(e.detail for e in section.events)
    assert "Le compte XAARO n'existe pas" in details  # the French sandbox answers in ACD's API wording
    assert "acceptée par ACD" in details and "au choix" in details


class FakeQonto(RulePackPlugin):
    """Stands in for the qonto plugin: a sandbox, a fetch and the two mapping tools."""

    name = "qonto"

    def __init__(self, broken: bool = False) -> None:
        self.broken = broken
        self.calls: dict[str, Any] = {}

    def extra_spec(self) -> dict[str, Any]:
        def app(request: SandboxRequest) -> SandboxResponse:
            return SandboxResponse(200, {"ok": True})

        return {
            "sandboxes": {"qonto": lambda port=0, faults=None: SandboxServer(app, port=port)},
            "tools": {"qonto.to_entries": self.to_entries, "qonto.payment_entry": self.payment_entry},
        }

    @hookimpl
    def fetch_transactions(self, source: str, options: Mapping[str, Any]) -> FetchResult | None:
        if source != "qonto":
            return None
        self.calls["fetch"] = dict(options)
        return FetchResult([{"kind": "bank_transaction", "id": "t1", "amount": "11.00", "side": "debit"}])

    def to_entries(self, entities: list[Any], settings: dict[str, Any]) -> list[dict[str, Any]]:
        if self.broken:
            raise RuntimeError("mapping not ready")
        self.calls["to_entries"] = settings
        return [{"kind": "journal_entry", "id": f"q-{e['id']}", "journal": settings["bank_journal"],
                 "date": "2026-03-31", "lines": [{"account": "62700000", "debit": e["amount"]},
                                                 {"account": settings["treasury_account"], "credit": e["amount"]}]}
                for e in entities]

    def payment_entry(self, payment: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
        return {"kind": "journal_entry", "id": "q-payment", "journal": "BQ2", "date": "2026-06-09",
                "reference": payment["reference"], "party": {"type": "supplier", "name": payment["supplier"]},
                "lines": [{"account": "40100000", "auxiliary": "XAARO", "debit": payment["amount"]},
                          {"account": "51210000", "credit": payment["amount"]}]}


def test_demo_takes_its_bank_entries_from_the_qonto_plugin() -> None:
    qonto = FakeQonto()
    section = _run(Host([acd_plugin, qonto]))
    assert qonto.calls["fetch"]["login"] == "sandbox"
    assert qonto.calls["fetch"]["secret_key"].get_secret_value() == "sandbox"
    assert qonto.calls["to_entries"] == {"target": "acd", "bank_journal": "BQ2", "treasury_account": "51210000"}
    assert _by(section, stage="fetch", outcome="ok")
    assert _by(section, stage="push", outcome="accepted", entity="q-t1")
    # the payment mapped by the qonto tool goes through the loop too: fixed, then accepted
    assert _by(section, outcome="fixed", entity="q-payment")
    assert _by(section, stage="resend", outcome="accepted", entity="q-payment")


def test_demo_falls_back_when_the_qonto_side_fails() -> None:
    section = _run(Host([acd_plugin, FakeQonto(broken=True)]))
    assert _by(section, stage="fetch", outcome="skipped")
    assert _by(section, stage="push", outcome="accepted", entity="tx-aaro-0326")
    assert _by(section, stage="resend", outcome="accepted", entity="inv-bureau")
