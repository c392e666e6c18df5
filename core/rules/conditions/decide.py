"""Whether a problem fires: its condition tree as one generated Python function.

A problem fires only when its condition is *definitely true* under Kleene logic (see
``tree``). Deciding that does not need the third value everywhere: an ``and`` is
definitely true only if every child is, so it can stop at the first child that is false
*or unknown*; an ``or`` at the first definitely true child; a ``not`` is definitely true
when its child is definitely false. So the tree compiles to two short-circuit expressions
per node, "is definitely true" and "is definitely false", joined into one function whose
body is a single expression of leaf calls: no Python call per logic node, and no leaf
evaluated once the outcome is settled.

The result is the same as evaluating the Kleene value and testing ``is True`` (a property
test checks it). A named check that raises is met only when the outcome may depend on it.
The generated source holds only generated names and structure; leaves are looked up in the
function's namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..paths import Scope
from .tree import Node, to_closure

__all__ = ["FAILS", "HOLDS", "compile_fires", "compile_truth"]

Fires = Callable[[Scope], bool]

# a sign leaf holds when ``sign OP 0``; it is definitely false when the inverse holds (both
# this module and the native engine's programs write these operators)
HOLDS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
FAILS = {"eq": "!=", "ne": "==", "lt": ">=", "le": ">", "gt": "<=", "ge": "<"}


class _Writer:
    def __init__(self) -> None:
        self.names: dict[str, Any] = {}

    def leaf_name(self, fn: Callable[[Scope], Any]) -> str:
        name = f"leaf{len(self.names)}"
        self.names[name] = fn
        return name

    def expr(self, node: Node, want: bool) -> str:
        """An expression that is True exactly when ``node`` is definitely ``want``."""
        if node.kind == "leaf":
            leaf = node.leaf
            assert leaf is not None
            call = f"{self.leaf_name(leaf.fn)}(s)"
            if leaf.kind == "bool":
                return f"({call} is {want})"
            op = (HOLDS if want else FAILS)[leaf.op]
            return f"((v := {call}) is not None and v {op} 0)"
        if node.kind == "not":
            return self.expr(node.children[0], not want)
        # and: true when all are true, false when one is false; or: the mirror image
        joiner = " and " if (node.kind == "and") == want else " or "
        parts = [self.expr(child, want) for child in node.children]
        if not parts:  # an empty and is true, an empty or is false
            return str((node.kind == "and") == want)
        return "(" + joiner.join(parts) + ")"


def compile_truth(root: Node, label: str) -> Callable[[Scope], bool | None]:
    """The Kleene value of ``root`` (True, False or None for unknown), decided as
    :func:`compile_fires` decides: "definitely true", else "definitely false", each stopping
    as soon as it is settled, so a named check that raises is met only when the value may
    depend on it. Quantifiers decide their items with it."""
    writer = _Writer()
    try:
        source = (f"def truth(s):\n    if {writer.expr(root, True)}:\n        return True\n"
                  f"    if {writer.expr(root, False)}:\n        return False\n    return None\n")
        code = compile(source, f"<condition {label}>", "exec")
    except (SyntaxError, RecursionError, MemoryError):  # nested deeper than Python's parser goes
        return to_closure(root)
    namespace = dict(writer.names)
    exec(code, namespace)  # noqa: S102
    truth: Callable[[Scope], bool | None] = namespace["truth"]
    return truth


def compile_fires(root: Node, label: str) -> Fires:
    """A function telling whether ``root`` is definitely true in a scope."""
    writer = _Writer()
    try:
        source = f"def fires(s):\n    return {writer.expr(root, True)}\n"
        code = compile(source, f"<condition {label}>", "exec")
    except (SyntaxError, RecursionError, MemoryError):  # nested deeper than Python's parser goes
        kleene = to_closure(root)
        return lambda s: kleene(s) is True
    namespace = dict(writer.names)
    exec(code, namespace)  # noqa: S102
    fires: Fires = namespace["fires"]
    return fires
