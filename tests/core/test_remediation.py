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
