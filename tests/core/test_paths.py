from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncdoctor.rules.paths import MISSING, PathSyntaxError, Scope, compile_path

ENTITY = {"journal": "AC", "lines": [{"account": "606", "amount": 1}, {"account": "401", "amount": 2}], "note": None}
CONTEXT = {"accounts": {"606": {"analytics": True}}, "journals": {"AC": {"invoice_number": False}}}


def scope(subject: object = ENTITY) -> Scope:
    return Scope(subject, ENTITY, CONTEXT)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("journal", "AC"),
        ("lines[1].account", "401"),
        ("lines[-1].amount", 2),
        ("lines[*].amount", [1, 2]),
        ("$context.journals[$entity.journal].invoice_number", False),
        ("$context.journals['AC'].invoice_number", False),
        ("note", MISSING),
        ("missing.deeper", MISSING),
        ("lines[9].account", MISSING),
    ],
)
def test_resolve(text: str, expected: object) -> None:
    assert compile_path(text)(scope()) == expected


def test_dynamic_lookup_relative_to_subject() -> None:
    path = compile_path("$context.accounts[account].analytics")
    assert path(scope(ENTITY["lines"][0])) is True  # type: ignore[index]
    assert path(scope(ENTITY["lines"][1])) is MISSING  # type: ignore[index]


@pytest.mark.parametrize("bad", ["", "a..b", "a[", "a[1", "a b", "a.[0]", "a[b[*]]", "$nowhere.x"])
def test_syntax_errors_are_clear(bad: str) -> None:
    with pytest.raises(PathSyntaxError):
        compile_path(bad)


def test_value_of_reads_models_extras_mappings_and_objects() -> None:
    from types import SimpleNamespace

    from syncdoctor import Invoice, value_of

    invoice = Invoice.model_validate({"kind": "invoice", "id": "F1", "total": "1", "custom": 3})
    assert value_of(invoice, "id") == "F1"
    assert value_of(invoice, "custom") == 3  # an extra field
    assert value_of(invoice, "nothing") is None
    assert value_of({"a": 1}, "a") == 1 and value_of({"a": 1}, "b") is None
    assert value_of(SimpleNamespace(a=2), "a") == 2 and value_of(SimpleNamespace(), "a") is None
    assert value_of(None, "a") is None


_JSON = st.recursive(
    st.none() | st.integers(0, 3) | st.sampled_from(["x", "y"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), _JSON, max_size=3))
def test_star_paths_resolve_like_the_general_resolver(data: dict[str, Any]) -> None:
    # ['b'] is a key step, so the second path of each pair goes through the general resolver
    for fast, general in [("a[*]", "['a'][*]"), ("a[*].b", "a[*]['b']"), ("a.b[*].c.a", "a['b'][*].c['a']"),
                          ("$entity.a[*].b.c", "$entity.a[*]['b'].c")]:
        scope = Scope(data, data, None)
        assert compile_path(fast).resolve(scope) == compile_path(general).resolve(scope), (fast, data)


def test_read_looks_at_extras_only_for_a_name_no_field_holds() -> None:
    """A validated model can hold a field set to None and an extra of the same name (an alias
    on the field): generated code's ``read`` answers as path resolution does."""
    from pydantic import BaseModel, ConfigDict, Field

    from syncdoctor.rules.paths import read

    class Ctx(BaseModel):
        model_config = ConfigDict(extra="allow", populate_by_name=True)
        limit: int | None = Field(None, alias="Limit")

    ctx = Ctx.model_validate({"Limit": None, "limit": 5})
    assert ctx.__pydantic_extra__ == {"limit": 5}
    assert read(ctx, "limit") is None
    assert compile_path("$context.limit").resolve(Scope(None, None, ctx)) is MISSING
    assert read(ctx, "other") is None and read({"a": 1}, "a") == 1 and read(None, "a") is None
