"""What generated programs (``engines/program.py``) call at run time, and what they know of model
classes when they are written.

The run-time helpers give a leaf's own answer (True, False or None for unknown) for a value
read as None when absent; programs call them when a value is not a string (the rarer case)
or for tests too long to write inline.
"""

from __future__ import annotations

from collections.abc import Callable
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from ..rules.conditions.calls import PluginCallError
from ..rules.paths import MISSING, Chain
from ..rules.values import text_of

__all__ = ["checker", "declared", "empty", "item_class", "items", "list_items", "matches", "model_class", "starts"]


def matches(search: Callable[[str], bool], value: Any) -> bool | None:
    text = text_of(value)
    return None if text is None else search(text)


def starts(value: Any, prefixes: tuple[str, ...]) -> bool | None:
    text = text_of(value)
    return None if text is None else text.startswith(prefixes)


def empty(value: Any) -> bool:
    return value is None or (hasattr(value, "__len__") and len(value) == 0)


def declared(cls: type | None, field: str) -> Any:
    """The declaration of ``field`` in a model class, when reading it by name is safe."""
    if cls is None or not isinstance(field, str) or not field.isidentifier():
        return None
    return getattr(cls, "model_fields", {}).get(field)


def model_class(annotation: Any) -> type | None:
    """The model class a field holds (``X`` or ``X | None``), or None."""
    if get_origin(annotation) in (Union, UnionType):
        held = [a for a in get_args(annotation) if a is not type(None)]
        annotation = held[0] if len(held) == 1 else None
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def item_class(annotation: Any) -> type | None:
    """The model class of a list field's items (``list[X]``, possibly ``| None``), or None."""
    if get_origin(annotation) in (Union, UnionType):
        held = [a for a in get_args(annotation) if a is not type(None)]
        annotation = held[0] if len(held) == 1 else None
    if get_origin(annotation) is not list:
        return None
    (item,) = get_args(annotation) or (None,)
    return model_class(item)


def checker(fn: Callable[..., Any], name: str, arity: int) -> Callable[..., bool | None]:
    """A named check as a call leaf answers: None when an argument is absent or the check
    answers None, else its truth; raising becomes :class:`PluginCallError`. Arguments
    arrive read, None standing for absent."""
    if arity == 1:
        def check1(a: Any) -> bool | None:
            if a is None:
                return None
            try:
                result = fn(a)
            except Exception as exc:
                raise PluginCallError(name, exc) from exc
            return None if result is None else bool(result)

        return check1

    def check(*args: Any) -> bool | None:
        for a in args:  # identity, not ==: an argument's own __eq__ must not decide
            if a is None:
                return None
        try:
            result = fn(*args)
        except Exception as exc:
            raise PluginCallError(name, exc) from exc
        return None if result is None else bool(result)

    return check


def items(found: Any) -> list[tuple[int, Any]]:
    if not isinstance(found, list):
        return []
    return [(i, item) for i, item in enumerate(found) if item is not None and item is not MISSING]



def list_items(entity_class: type, chain: Chain | None) -> type | None:
    """The model class of a list subject's items, when the entity's class declares it."""
    if chain is None or len(chain[1]) != 1:
        return None
    found = declared(entity_class, chain[1][0])
    return None if found is None else item_class(found.annotation)


