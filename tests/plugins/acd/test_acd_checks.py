"""The named functions the pack calls: exact on real data, ``None`` on anything else."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from syncdoctor import JournalLine
from syncdoctor_acd.checks import (
    FUNCTIONS,
    account_length_differs,
    auxiliary_fix,
    balance_difference,
    pad_account,
)


@pytest.mark.parametrize(("code", "party", "name", "expected"), [
    ("XAARO", "supplier", "AARO", "FAARO"),        # the design's example: the first letter is replaced
    ("CAARO", "supplier", "AARO", "FAARO"),        # a customer letter on a supplier entry
    ("FDUPONT", "customer", "Dupont", "CDUPONT"),
    ("AARO", "supplier", "AARO", "FAARO"),         # the bare name gets the letter in front
    ("0DURAN", "supplier", "", "FDURAN"),          # another package's numeric prefix
    (" XAARO ", "supplier", "", "FAARO"),
    ("FAARO", "supplier", "AARO", "FAARO"),
    ("XAARO", None, "AARO", None),
    ("XAARO", "employee", "AARO", None),
    ("", "supplier", "AARO", None),
    (None, "supplier", "AARO", None),
    (12, "customer", None, None),
])
def test_auxiliary_fix(code: Any, party: Any, name: Any, expected: str | None) -> None:
    assert auxiliary_fix(code, party, name) == expected


def test_balance_difference_reads_models_and_dicts() -> None:
    lines = [JournalLine(account="401", credit=Decimal("189.99")), {"account": "606", "debit": "158.33"}]
    assert balance_difference(lines) == "-31.66"
    assert balance_difference([]) == "0"
    assert balance_difference([{"debit": "abc"}]) is None
    assert balance_difference([{"debit": True}]) is None
    assert balance_difference("lines") is None


@pytest.mark.parametrize(("account", "length", "differs", "padded"), [
    ("401", 8, True, "40100000"),
    ("6061", 8, True, "60610000"),
    ("40100000", 8, False, None),
    ("606100000", 8, True, None),     # too long: a person must choose
    ("6O61", 8, True, None),          # not a number
    ("901", 8, True, None),           # class 9 is not a general account
    ("401", None, None, None),
    ("401", True, None, None),
    (401, 8, None, None),
])
def test_account_length(account: Any, length: Any, differs: bool | None, padded: str | None) -> None:
    assert account_length_differs(account, length) is differs
    assert pad_account(account, length) == padded


def test_functions_are_registered_under_the_plugin_name() -> None:
    assert set(FUNCTIONS) == {"acd.auxiliary_fix", "acd.balance_difference", "acd.account_length_differs",
                              "acd.pad_account"}
