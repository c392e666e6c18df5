"""The generated "does it fire" functions agree with Kleene evaluation on every tree."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from syncdoctor.rules.conditions.calls import PluginCallError
from syncdoctor.rules.conditions.decide import compile_fires, compile_truth
from syncdoctor.rules.conditions.tree import Leaf, Node, to_closure
from syncdoctor.rules.paths import Scope

OPS = ["eq", "ne", "lt", "le", "gt", "ge"]


class Raised(Exception):
    pass


def _leaf(draw: st.DrawFn) -> Node:
    """A leaf whose value is read from the scope's subject by its index (set per example)."""
    kind = draw(st.sampled_from(["sign", "bool"]))
    slot = draw(st.integers(0, 5))

    def fn(s: Scope) -> Any:
        value = s.subject[slot]
        if value == "raise":
            raise PluginCallError("boom", ValueError("no"))
        if kind == "sign":
            return value if value is None else (-1 if value is False else value if isinstance(value, int) and not isinstance(value, bool) else 1)
        return value if value is None or isinstance(value, bool) else value > 0

    return Node("leaf", leaf=Leaf(kind, draw(st.sampled_from(OPS)) if kind == "sign" else "true", fn, f"slot {slot}"))


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> Node:
    if depth >= 4 or draw(st.booleans()):
        return _leaf(draw)
    kind = draw(st.sampled_from(["and", "or", "not"]))
    if kind == "not":
        return Node("not", [draw(trees(depth + 1))])
    return Node(kind, draw(st.lists(trees(depth + 1), min_size=0, max_size=4)))


VALUES = st.sampled_from([None, True, False, -1, 0, 1, "raise"])


def _outcome(fn: Any, scope: Scope) -> Any:
    try:
        return fn(scope)
    except PluginCallError:
        return "raised"


@settings(max_examples=600, deadline=None)
@given(trees(), st.lists(VALUES, min_size=6, max_size=6))
def test_fires_is_kleene_true(tree: Node, values: list[Any]) -> None:
    scope = Scope(values, None, None)
    fires = compile_fires(tree, "test")
    kleene = to_closure(tree)
    got, want = _outcome(fires, scope), _outcome(kleene, scope)
    if got == "raised":
        # a raising check is met only when the outcome may depend on it: Kleene meets it too
        assert want == "raised"
    elif want != "raised":
        assert got == (want is True)


@settings(max_examples=600, deadline=None)
@given(trees(), st.lists(VALUES, min_size=6, max_size=6))
def test_truth_is_the_kleene_value(tree: Node, values: list[Any]) -> None:
    """What quantifiers decide each item with: the Kleene value, meeting a raising check only
    when the value may depend on it."""
    scope = Scope(values, None, None)
    got, want = _outcome(compile_truth(tree, "test"), scope), _outcome(to_closure(tree), scope)
    if got == "raised":
        assert want == "raised"
    elif want != "raised":
        assert got is want
    else:  # Kleene met a raising check the value does not depend on: every value of it gives got
        for stand_in in (True, False, None):
            swapped = Scope([stand_in if v == "raise" else v for v in values], None, None)
            assert to_closure(tree)(swapped) is got


def test_no_values_no_leaves() -> None:
    assert compile_fires(Node("and", []), "t")(Scope(None, None, None)) is True
    assert compile_fires(Node("or", []), "t")(Scope(None, None, None)) is False
    assert compile_fires(Node("not", [Node("or", [])]), "t")(Scope(None, None, None)) is True


def test_a_tree_deeper_than_the_parser_falls_back() -> None:
    leaf = Node("leaf", leaf=Leaf("bool", "true", lambda s: True, "yes"))
    node = leaf
    for _ in range(250):  # Python's parser stops at 200 nested parentheses
        node = Node("and", [node, leaf])
    assert compile_fires(node, "deep")(Scope(None, None, None)) is True
