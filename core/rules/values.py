"""Values in rules: literals and references, and how two values compare.

Comparison is the heart of the rule semantics shared by both engines: numbers compare as
exact decimals, dates as dates, text as text, and anything else is *unknown* (None).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from .paths import MISSING, Scope, compile_path
from .regex import CompileError
from .schema import Ref

__all__ = ["ValueFn", "compare", "compile_value", "text_of", "to_number"]



_MAX_ADJUSTED = 30


def to_number(value: Any) -> Decimal | None:
    """A value as an exact number for comparisons and sums, or None (unknown).

    Numbers beyond 1e30 are unknown rather than numbers: summing them could overflow the
    decimal context, and no accounting value is that large.
    """
    if type(value) is Decimal:  # what entity amounts are: checked first
        number = value
    elif isinstance(value, bool):
        return None
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        if abs(value) >= 10**_MAX_ADJUSTED:
            return None
        return Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    if not number.is_finite() or (number and abs(number.adjusted()) > _MAX_ADJUSTED):
        return None
    return number


def _to_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def compare(left: Any, right: Any) -> int | None:
    """Sign of ``left - right`` under the rule semantics, or None when incomparable."""
    if type(left) is str and type(right) is str:  # the commonest case, first
        return (left > right) - (left < right)
    if left is MISSING or right is MISSING or left is None or right is None:
        return None
    if isinstance(right, bool) or isinstance(left, bool):
        if isinstance(right, bool) and isinstance(left, bool):
            return (left > right) - (left < right)
        return None
    if isinstance(right, (int, Decimal)) or isinstance(left, (int, Decimal)):
        a, b = to_number(left), to_number(right)
        if a is None or b is None:
            return None
        return (a > b) - (a < b)
    if isinstance(left, dt.datetime) and isinstance(right, dt.datetime):
        if (left.tzinfo is None) != (right.tzinfo is None):
            return None
        return (left > right) - (left < right)
    if isinstance(left, dt.date) or isinstance(right, dt.date):
        a_date, b_date = _to_date(left), _to_date(right)
        if a_date is None or b_date is None:
            return None
        return (a_date > b_date) - (a_date < b_date)
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    return None


ValueFn = Callable[[Scope], Any]


def compile_value(value: Any) -> ValueFn:
    """A literal or ``{ref: path, default: x}`` as a function of the scope."""
    if isinstance(value, Ref):
        path = compile_path(value.ref)
        default = MISSING if value.default is None else value.default
        if path.multi:
            raise CompileError(f"ref {value.ref!r} must name one value, not a list")

        def from_path(s: Scope) -> Any:
            got = path.resolve(s)
            return default if got is MISSING else got

        return from_path
    return lambda s: value


def text_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return None
