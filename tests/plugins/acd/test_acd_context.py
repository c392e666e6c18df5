"""The ``acd`` context model: every field optional, documented, strict about typos."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

import syncdoctor_acd.context as context_module
from syncdoctor import ContextError, Host
from syncdoctor_acd import AcdContext
from syncdoctor_acd.context import AccountSettings, JournalSettings, OpenPeriod
from syncdoctor_acd.sandbox import SandboxFolder


def test_every_field_is_optional() -> None:
    empty = AcdContext()
    assert all(getattr(empty, name) is None for name in AcdContext.model_fields)
    assert JournalSettings() == JournalSettings(nature=None, invoice_number_management=None)
    assert AccountSettings().automatic_allocation_key is None
    assert OpenPeriod().start is None


def test_every_field_is_documented() -> None:
    assert AcdContext.__doc__ and "Every field is optional" in (context_module.__doc__ or "")
    for model in (AcdContext, JournalSettings, AccountSettings):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"


def test_parsed_through_the_host_as_the_acd_part() -> None:
    host = Host.from_entry_points(names=["acd"])
    parsed = host.parse_context({"acd": {
        "journals": {"AC": {"nature": "Achat", "invoice_number_management": False}},
        "accounts": {"60610000": {"analytics_enabled": True}},
        "journal_code_mapping": {"BQ": "BQ2"},
        "open_period": {"start": "2026-01-01", "end": "2026-12-31"},
    }})["acd"]
    assert isinstance(parsed, host.context_models["acd"]) and type(parsed).__name__ == AcdContext.__name__
    assert parsed.journals is not None and parsed.journals["AC"].invoice_number_management is False
    assert parsed.accounts is not None and parsed.accounts["60610000"].analytics_enabled is True
    assert parsed.open_period is not None and parsed.open_period.start == dt.date(2026, 1, 1)


@pytest.mark.parametrize("raw", [
    {"acounts": {}},                                               # a typo must not switch checks off silently
    {"journals": {"AC": {"invoice_numbers": True}}},
    {"journals": {"AC": {"nature": "Purchases"}}},                  # not one of ACD's natures
    {"open_period": {"start": "2026-12-31", "end": "2026-01-01"}},
    {"general_account_length": 2},
])
def test_bad_settings_are_refused_with_the_field(raw: dict) -> None:
    with pytest.raises(ValidationError):
        AcdContext.model_validate(raw)
    host = Host.from_entry_points(names=["acd"])
    with pytest.raises(ContextError) as info:
        host.parse_context({"acd": raw})
    assert info.value.field is not None and info.value.field.startswith("acd")


def test_the_sandbox_folder_describes_itself_as_a_valid_context() -> None:
    context = AcdContext.model_validate(SandboxFolder().context())
    assert context.folder == "DEMO"
    assert context.journals is not None and context.journals["AC"].invoice_number_management is False
    assert context.accounts is not None
    assert context.accounts["60610000"].automatic_allocation_key is None
    assert context.accounts["60640000"].automatic_allocation_key == "ADM"
    assert context.general_account_length == 8
