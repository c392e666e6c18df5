"""A compiled condition: a tree of leaves under and/or/not, and its Kleene evaluation.

Every **leaf** reads values through compiled paths and yields either a *sign* (-1/0/1, the
result of comparing a value with its operand) or a *boolean*, or ``None`` when a value it
needs is missing or of the wrong type. The **logic** over leaves is Kleene three-valued:
``None`` means "cannot tell"; a problem fires only when its condition is definitely true, so
a check whose data is missing never fires.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..paths import Scope

__all__ = ["SIGN_OPS", "Leaf", "Node", "to_closure"]


@dataclass(slots=True)
class Leaf:
    """One atom of a condition: a sign compared with 0 by ``op``, or a boolean."""

    kind: str  # "sign" | "bool"
    op: str  # eq ne lt le gt ge (sign) | "true" (bool)
    fn: Callable[[Scope], Any]
    label: str
    index: int = -1
    #: what the leaf tests, when generated code can test it inline (``engines/program.py``): a test
    #: name, the path's (root, fields) chain and its operands; None for every other leaf
    inline: tuple[Any, ...] | None = None


@dataclass(slots=True)
class Node:
    kind: str  # "and" | "or" | "not" | "leaf"
    children: list[Node] = field(default_factory=list)
    leaf: Leaf | None = None


SIGN_OPS: dict[str, Callable[[int, int], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
}


def to_closure(node: Node) -> Callable[[Scope], bool | None]:
    """A tree as nested closures with Kleene semantics: how the native engine (and quantifiers,
    and the durable engine's check of a raising leaf) evaluate conditions."""
    if node.kind == "leaf":
        leaf = node.leaf
        assert leaf is not None
        fn = leaf.fn
        if leaf.kind == "bool":
            def boolean(s: Scope) -> bool | None:
                value = fn(s)
                return None if value is None else bool(value)

            return boolean
        op = SIGN_OPS[leaf.op]

        def sign(s: Scope) -> bool | None:
            value = fn(s)
            return None if value is None else op(value, 0)

        return sign
    children = [to_closure(c) for c in node.children]
    if node.kind == "not":
        inner = children[0]

        def negate(s: Scope) -> bool | None:
            r = inner(s)
            return None if r is None else not r

        return negate
    if node.kind == "and":
        def conj(s: Scope) -> bool | None:
            unknown = False
            for child in children:
                r = child(s)
                if r is False:
                    return False
                if r is None:
                    unknown = True
            return None if unknown else True

        return conj

    def disj(s: Scope) -> bool | None:
        unknown = False
        for child in children:
            r = child(s)
            if r is True:
                return True
            if r is None:
                unknown = True
        return None if unknown else False

    return disj
