"""Every operator of the condition language, with its three-valued semantics."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from syncdoctor.rules.conditions.calls import PluginCallError
from syncdoctor.rules.conditions.compiler import Compiler
from syncdoctor.rules.conditions.tree import to_closure
from syncdoctor.rules.paths import Scope
from syncdoctor.rules.regex import CompileError
from syncdoctor.rules.schema import Condition

COND = TypeAdapter(Condition)

ENTITY: dict[str, Any] = {
    "kind": "journal_entry",
    "journal": "AC",
    "date": "2026-03-26",
    "code": "XAARO",
    "total": Decimal("24.00"),
    "tip": Decimal("2.00"),
    "discount": Decimal("0"),
    "name": "Bookkeeping services",
    "tags": ["#Comptabilise"],
    "lines": [{"amount": Decimal("10.00")}, {"amount": Decimal("12.00")}],
    "empty_list": [],
}
CONTEXT = {"tolerance": Decimal("0.01"), "known": ["Acme", "AARO"], "accounts": {"606": {"analytics": True}}}


def run(cond: dict[str, Any], functions: dict[str, Any] | None = None, entity: dict[str, Any] = ENTITY) -> bool | None:
    compiler = Compiler("t.x", functions or {})
    tree = compiler.compile(COND.validate_python(cond))
    return to_closure(tree)(Scope(entity, entity, CONTEXT))


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ({"path": "journal", "eq": "AC"}, True),
        ({"path": "journal", "ne": "AC"}, False),
        ({"path": "total", "gt": 20}, True),
        ({"path": "total", "ge": "24.00"}, True),
        ({"path": "total", "lt": Decimal("23.99")}, False),
        ({"path": "total", "le": {"ref": "total"}}, True),
        ({"path": "date", "lt": "2026-04-01"}, True),
        ({"path": "journal", "in": ["AC", "VT"]}, True),
        ({"path": "journal", "not_in": ["AC", "VT"]}, False),
        ({"path": "name", "in": {"ref": "$context.known"}}, False),
        ({"path": "code", "matches": "^X"}, True),
        ({"path": "code", "starts_with": ["F", "C"]}, False),
        ({"path": "code", "exists": True}, True),
        ({"path": "nothing", "exists": False}, True),
        ({"path": "empty_list", "empty": True}, True),
        ({"path": "nothing", "empty": True}, True),
        ({"path": "name", "length": {"gt": 19}}, True),
        ({"path": "name", "length": {"gt": 20}}, False),
        ({"path": "lines", "length": {"eq": 2}}, True),
        ({"any_item": {"path": "lines", "where": {"path": "amount", "gt": 11}}}, True),
        ({"all_items": {"path": "lines", "where": {"path": "amount", "gt": 11}}}, False),
        ({"all_items": {"path": "empty_list", "where": {"path": "amount", "gt": 11}}}, True),
        ({"sum_differs": {"terms": ["lines[*].amount", "tip", "-discount"], "equals": {"ref": "total"}}}, False),
        ({"sum_differs": {"terms": ["lines[*].amount"], "equals": {"ref": "total"},
                          "tolerance": {"ref": "$context.tolerance"}}}, True),
        ({"sum_differs": {"terms": ["lines[*].amount"], "equals": {"ref": "total"}, "tolerance": "2"}}, False),
        ({"all": [{"path": "journal", "eq": "AC"}, {"path": "total", "gt": 1}]}, True),
        ({"any": [{"path": "journal", "eq": "XX"}, {"path": "total", "gt": 1}]}, True),
        ({"not": {"path": "journal", "eq": "AC"}}, False),
    ],
)
def test_operators(cond: dict[str, Any], expected: bool) -> None:
    assert run(cond) is expected


@pytest.mark.parametrize(
    "cond",
    [
        {"path": "nothing", "eq": "x"},
        {"path": "nothing", "gt": 1},
        {"path": "nothing", "matches": "x"},
        {"not": {"path": "nothing", "eq": "x"}},
        {"path": "journal", "gt": 5},  # a code compared with a number: incomparable, not false
        {"path": "nothing", "in": ["a"]},
        {"sum_differs": {"terms": ["nothing"], "equals": 0}},
        {"any_item": {"path": "nothing", "where": {"path": "a", "eq": 1}}},
        {"path": "total", "gt": {"ref": "$context.missing"}},
    ],
)
def test_missing_data_is_unknown_and_never_fires(cond: dict[str, Any]) -> None:
    assert run(cond) is None


def test_kleene_logic() -> None:
    unknown = {"path": "nothing", "eq": 1}
    true = {"path": "journal", "eq": "AC"}
    false = {"path": "journal", "eq": "XX"}
    assert run({"all": [unknown, false]}) is False
    assert run({"all": [unknown, true]}) is None
    assert run({"any": [unknown, true]}) is True
    assert run({"any": [unknown, false]}) is None


def test_ref_default_used_when_missing() -> None:
    cond = {"sum_differs": {"terms": ["lines[*].amount"], "equals": {"ref": "total"},
                            "tolerance": {"ref": "$context.nope", "default": "5"}}}
    assert run(cond) is False


def test_named_checks_are_the_escape_hatch() -> None:
    seen: list[Any] = []

    def luhn_ok(value: str) -> bool:
        seen.append(value)
        return value == "XAARO"

    assert run({"call": "t.luhn", "args": [{"ref": "code"}]}, {"t.luhn": luhn_ok}) is True
    assert seen == ["XAARO"]
    assert run({"call": "t.luhn", "args": [{"ref": "nothing"}]}, {"t.luhn": luhn_ok}) is None
    with pytest.raises(CompileError, match="names no registered check"):
        run({"call": "t.missing"})

    def broken(value: str) -> bool:
        raise ZeroDivisionError

    with pytest.raises(PluginCallError, match="t.broken raised ZeroDivisionError"):
        run({"call": "t.broken", "args": [{"ref": "code"}]}, {"t.broken": broken})


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?=a)b", r"(?<=a)b", r"a++", "a{1001}"])
def test_non_re2_patterns_are_rejected_at_load(pattern: str) -> None:
    with pytest.raises(CompileError, match="not valid RE2"):
        run({"path": "code", "matches": pattern})


def test_field_test_needs_exactly_one_operator() -> None:
    with pytest.raises(ValidationError, match="exactly one operator"):
        COND.validate_python({"path": "code", "eq": "a", "ne": "b"})
    with pytest.raises(ValidationError, match="exactly one operator"):
        COND.validate_python({"path": "code"})
    with pytest.raises(ValidationError, match="a condition is one of"):
        COND.validate_python({"whatever": 1})


def test_list_paths_need_a_quantifier() -> None:
    with pytest.raises(CompileError, match="any_item/all_items"):
        run({"path": "lines[*].amount", "gt": 1})


def test_repeated_is_not_allowed_inside_quantifiers() -> None:
    with pytest.raises(CompileError, match="repeated"):
        run({"any_item": {"path": "lines", "where": {"repeated": {"key": ["amount"]}}}})
