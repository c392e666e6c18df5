"""Models built from values that are valid by construction, without validating them again,
and models shared read-only between the answers that hold them.

Classification renders a diagnosis per message from a compiled pack, and its plan is typed
(``Step``, ``DiagnosisPlan``, ``RemediationPlan``): validating each model would cost more than
the rest of the message, and ``model_construct`` loops over the fields in Python.
:func:`trusted` sets an instance's state at once; the caller gives every field, in the model's
field order, and the names a validator would have seen (``model_fields_set``).

The parts of a plan that depend on no param are built once per problem and language and
shared by every diagnosis (:func:`share`): a step is then one object, not one per message.
A shared model refuses assignment (the plan models check :func:`is_shared`) and its lists
refuse changes, so that editing one diagnosis can never change another; copies
(``model_copy``, ``copy.deepcopy``, pickling) are ordinary, editable models.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel

__all__ = ["ReadOnlyList", "SharedFields", "is_shared", "share", "trusted"]

_M = TypeVar("_M", bound=BaseModel)

_new = object.__new__
_set_dict = object.__setattr__
_set_fields = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def trusted(model: type[_M], given: Set[str], values: dict[str, Any]) -> _M:
    """``model.model_construct(**values)`` for values given for every field (``given``: the
    ones a caller set explicitly); ``values`` becomes the instance's ``__dict__``."""
    obj = _new(model)
    _set_dict(obj, "__dict__", values)
    _set_fields(obj, set(given))
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


class SharedFields(frozenset[str]):
    """The ``model_fields_set`` of a shared model, and the mark that it is shared. ``plain``
    keeps what a JSON writer made of the model once (``model.jsonio``), valid as long as the
    model, which cannot change."""

    plain: Any = None

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: Any) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return set, (list(self),)


def _refuse(self: ReadOnlyList, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError("this list belongs to a plan shared by every diagnosis of its problem, so it is "
                    "read-only: change a copy, e.g. diagnosis.model_copy(deep=True)")


class ReadOnlyList(list[Any]):
    """A list in a shared model: reads as a list, refuses changes; its copies are lists."""

    __slots__ = ()
    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: Any) -> list[Any]:
        from copy import deepcopy

        return [deepcopy(item, memo) for item in self]

    def __reduce__(self) -> tuple[Any, ...]:
        return list, (list(self),)


def share(obj: _M) -> _M:
    """Mark a model built by :func:`trusted` as shared: read-only, and its lists too."""
    values = obj.__dict__
    for name, value in values.items():
        if type(value) is list:
            values[name] = ReadOnlyList(value)
    _set_fields(obj, SharedFields(obj.__pydantic_fields_set__))
    return obj


def is_shared(obj: BaseModel) -> bool:
    return type(obj.__pydantic_fields_set__) is SharedFields
