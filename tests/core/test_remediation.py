from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncdoctor import PatchError, apply_patch

DOC = {"lines": [{"auxiliary": "XAARO"}, {"auxiliary": None}], "name": "a/b~c"}


@pytest.mark.parametrize(
    ("ops", "expected"),
    [
        ([{"op": "replace", "path": "/lines/0/auxiliary", "value": "FAARO"}],
         {"lines": [{"auxiliary": "FAARO"}, {"auxiliary": None}], "name": "a/b~c"}),
        ([{"op": "add", "path": "/lines/-", "value": {"auxiliary": "C1"}}],
         {"lines": [{"auxiliary": "XAARO"}, {"auxiliary": None}, {"auxiliary": "C1"}], "name": "a/b~c"}),
        ([{"op": "remove", "path": "/lines/1"}], {"lines": [{"auxiliary": "XAARO"}], "name": "a/b~c"}),
        ([{"op": "copy", "from": "/name", "path": "/copy"}],
         {"lines": [{"auxiliary": "XAARO"}, {"auxiliary": None}], "name": "a/b~c", "copy": "a/b~c"}),
        ([{"op": "move", "from": "/name", "path": "/label"}],
         {"lines": [{"auxiliary": "XAARO"}, {"auxiliary": None}], "label": "a/b~c"}),
        ([{"op": "test", "path": "/name", "value": "a/b~c"}], DOC),
    ],
)
def test_rfc6902_operations(ops: list[dict[str, Any]], expected: dict[str, Any]) -> None:
    assert apply_patch(DOC, ops) == expected
    assert DOC["lines"][0]["auxiliary"] == "XAARO"  # the input is never modified


@pytest.mark.parametrize(
    "ops",
    [
        [{"op": "replace", "path": "/nope", "value": 1}],
        [{"op": "remove", "path": "/lines/9"}],
        [{"op": "test", "path": "/name", "value": "x"}],
        [{"op": "add", "path": "nope", "value": 1}],
        [{"op": "jump", "path": "/name"}],
    ],
)
def test_bad_patches_raise_patch_error(ops: list[dict[str, Any]]) -> None:
    with pytest.raises(PatchError):
        apply_patch(DOC, ops)


@given(st.text(max_size=20))
def test_replace_is_idempotent(value: str) -> None:
    ops = [{"op": "replace", "path": "/lines/0/auxiliary", "value": value}]
    once = apply_patch(DOC, ops)
    assert apply_patch(once, ops) == once


@pytest.mark.parametrize(
    "ops",
    [
        [{"op": "remove", "path": "/lines/-1"}],
        [{"op": "remove", "path": "/lines/01"}],
        [{"op": "replace", "path": "/lines/+1", "value": 1}],
        [{"op": "test", "path": "/lines/0/auxiliary", "value": True}],
        [{"op": "copy", "path": "/x"}],
        [{"op": "add", "path": "/x"}],
        [{"op": "remove", "path": "/name/0"}],
        ["not an op"],
        [{"op": "add", "path": 3, "value": 1}],
    ],
)
def test_rfc6902_strictness(ops: list[Any]) -> None:
    with pytest.raises(PatchError):
        apply_patch(DOC, ops)


def test_whole_document_and_json_equality() -> None:
    assert apply_patch(DOC, [{"op": "replace", "path": "", "value": {"a": 1}}]) == {"a": 1}
    assert apply_patch({"n": 1}, [{"op": "test", "path": "/n", "value": 1.0}]) == {"n": 1}
    with pytest.raises(PatchError):
        apply_patch({"b": 1}, [{"op": "test", "path": "/b", "value": True}])


def _slow(plan: Any, params: dict[str, Any]) -> tuple[Any, ...]:
    return plan.render_title(params), plan.render_causes(params), plan.remediation(params)


def _fast(plan: Any, params: dict[str, Any]) -> tuple[Any, ...]:
    values = plan.diagnosis_values(params, 3, "r")
    assert (values["input"], values["record"], values["params"]) == (3, "r", params)
    return values["title"], values["causes"], values["remediation"]


def test_generated_rendering_matches_text_by_text_rendering() -> None:
    """Every shipped plan, both languages, with no params, with every placeholder given, and
    with values that are not strings: the generated function renders what render() does."""
    import string

    from syncdoctor import Host

    host = Host.from_entry_points()
    for cp in host.catalog.problems.values():
        for lang in ("en", "fr"):
            plan = cp.plan(lang)
            names = {name for text in [plan.title, *plan.causes, *(s[0]["instructions"] for s in plan.steps)]
                     for _, name, _, _ in string.Formatter().parse(text) if name}
            for params in ({}, {n: f"<{n}>" for n in names}, {n: i for i, n in enumerate(names)}):
                assert _fast(plan, params) == _slow(plan, params), (cp.id, lang, params)


def test_malformed_templates_fall_back_text_by_text() -> None:
    from syncdoctor.rules.remediation import CompiledPlan
    from syncdoctor.rules.schema import Problem

    texts = ["{0} positional", "{a.b} attribute", "stray } brace", "{x!r} conversion", "{x:>6} spec", "{{x}} escaped {x}"]
    problem = Problem.model_validate({
        "id": "t.p", "category": "data", "title": {"en": texts[0], "fr": texts[5]},
        "causes": [{"en": t, "fr": t} for t in texts],
        "remediation": {"steps": [{"action": "contact_support", "system": "syncdoctor",
                                   "instructions": {"en": t, "fr": t}} for t in texts]},
    })
    for lang in ("en", "fr"):
        plan = CompiledPlan(problem, lang)
        for params in ({}, {"x": 5, "a": {"b": 1}}):
            fast = _fast(plan, dict(params))
            assert fast == _slow(plan, dict(params))
            fast_again = _fast(plan, dict(params))
            assert fast_again == fast and fast_again[2] is not fast[2]  # fresh structures every time
