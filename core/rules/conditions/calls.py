"""What compiled conditions call while deciding: named Python checks, and membership tests.

Shared by the closures of the compiler and by the programs the native engine generates, so
that both decide ``call:``, ``in`` and ``not_in`` the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..paths import MISSING, Scope
from ..values import compare

__all__ = ["PluginCallError", "bind_call", "in_list", "member_of"]


class PluginCallError(Exception):
    """A named Python check raised; carries the function name."""

    def __init__(self, name: str, error: BaseException) -> None:
        self.name = name
        self.error = error
        super().__init__(f"check {name} raised {type(error).__name__}: {error}")


def in_list(value: Any, members: Sequence[Any], negate: bool) -> bool | None:
    """Whether ``value`` equals one of a pack's literal members (as ``compare`` decides),
    negated for ``not_in``; None when it is absent (MISSING or None) or compares with none."""
    if value is MISSING or value is None:
        return None
    results = [compare(value, m) for m in members]
    if 0 in results:
        return not negate
    if None in results and all(r is None for r in results):
        return None
    return negate


def member_of(value: Any, box: Any, negate: bool) -> bool | None:
    """Whether ``value`` is in a container read from data (a mapping's keys or a list's
    items), negated for ``not_in``; None when either is absent (MISSING or None) or they
    cannot be compared."""
    if value is MISSING or box is MISSING or value is None or box is None:
        return None
    if isinstance(box, Mapping):
        if isinstance(value, (list, dict, set)):
            return None  # not a key: cannot tell
        found = str(value) in box or value in box
    elif isinstance(box, (list, tuple, set, frozenset)):
        found = any(compare(value, m) == 0 for m in box)
    else:
        return None
    return found != negate


def bind_call(fn: Callable[..., Any], args: list[Callable[[Scope], Any]], name: str) -> Callable[[Scope], Any]:
    """A named function applied to argument values read from the scope: its result, or
    MISSING when an argument is missing or the function answers None (unknown). Raising
    becomes :class:`PluginCallError`. Specialised by arity: checks run per subject."""
    if len(args) == 1:
        (arg,) = args

        def call1(s: Scope) -> Any:
            value = arg(s)
            if value is MISSING:
                return MISSING
            try:
                result = fn(value)
            except Exception as exc:
                raise PluginCallError(name, exc) from exc
            return MISSING if result is None else result

        return call1
    if len(args) == 2:
        first, second = args

        def call2(s: Scope) -> Any:
            a, b = first(s), second(s)
            if a is MISSING or b is MISSING:
                return MISSING
            try:
                result = fn(a, b)
            except Exception as exc:
                raise PluginCallError(name, exc) from exc
            return MISSING if result is None else result

        return call2

    def call(s: Scope) -> Any:
        values = [a(s) for a in args]
        if any(v is MISSING for v in values):
            return MISSING
        try:
            result = fn(*values)
        except Exception as exc:
            raise PluginCallError(name, exc) from exc
        return MISSING if result is None else result

    return call
