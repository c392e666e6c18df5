"""Fixtures of the ACD plugin tests: hosts on both engines, the folder's context, the seed's entry."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from syncdoctor import Host


def _durable_or_skip() -> None:
    from syncdoctor.engines.durable import durable_available

    ok, why = durable_available()
    if not ok:
        pytest.skip(f"durable_rules unavailable: {why}")


@pytest.fixture(params=["native", "durable"])
def engine_name(request: pytest.FixtureRequest) -> str:
    if request.param == "durable":
        _durable_or_skip()
    return str(request.param)


@pytest.fixture
def host(engine_name: str) -> Host:
    """Only the ACD plugin, loaded through its entry point, on each engine."""
    loaded = Host.from_entry_points(names=["acd"], engine=engine_name, strict=True)
    assert list(loaded.plugins) == ["acd"]
    return loaded


@pytest.fixture
def native_host() -> Host:
    return Host.from_entry_points(names=["acd"], strict=True)


SEED_ENTRY: dict[str, Any] = {
    "kind": "journal_entry", "id": "e1", "journal": "AC", "date": "2026-03-26", "reference": "FS9289482",
    "label": "AARO", "party": {"type": "supplier", "name": "AARO"},
    "lines": [{"account": "40100000", "auxiliary": "XAARO", "debit": "0", "credit": "189.99"},
              {"account": "60610000", "debit": "158.33", "credit": "0", "analytics": []},
              {"account": "44566000", "debit": "31.66", "credit": "0"}],
    "attachments": [{"filename": "f.pdf", "content_type": "application/pdf", "size": 120334}],
}

FOLDER_CONTEXT: dict[str, Any] = {
    "folder": "DEMO",
    "journals": {"AC": {"nature": "Achat", "invoice_number_management": False},
                 "VT": {"nature": "Vente", "invoice_number_management": True},
                 "BQ2": {"nature": "Tresorerie", "invoice_number_management": False}},
    "accounts": {"60610000": {"analytics_enabled": True},
                 "60640000": {"analytics_enabled": True, "automatic_allocation_key": "ADM"}},
    "journal_code_mapping": {"BQ": "BQ2", "AC": "AC"},
    "open_period": {"start": "2026-01-01", "end": "2026-12-31"},
    "general_account_length": 8,
}


@pytest.fixture
def seed_entry() -> dict[str, Any]:
    """The design's example: the AARO purchase invoice with another package's auxiliary code."""
    return copy.deepcopy(SEED_ENTRY)


@pytest.fixture
def context() -> dict[str, Any]:
    return {"acd": copy.deepcopy(FOLDER_CONTEXT)}
