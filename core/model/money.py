"""Exact money and explicit dates.

Money is :class:`decimal.Decimal`, accepted as a JSON string, an integer or a JSON number that
was parsed as Decimal (``json.loads(..., parse_float=Decimal)``, which every reader of this
package does). A binary ``float`` is refused: it has already lost the cents.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

__all__ = ["Money", "dumps", "loads", "to_decimal"]


MAX_EXPONENT = 15
"""No real amount needs more than 15 digits before or after the point; bounding them keeps
exact arithmetic from overflowing (``1e999999 * 10`` raises ``decimal.Overflow``)."""


def to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("an amount must be a number, not a boolean")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        raise ValueError("an amount must be a decimal string or an exact number, not a binary float")
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            raise ValueError("an amount must not be empty")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{value[:40]!r} is not a decimal amount") from None
    else:
        raise ValueError(f"an amount must be a decimal string or number, not {type(value).__name__}")
    if not result.is_finite():
        raise ValueError("an amount must be finite")
    if result and not -MAX_EXPONENT <= result.adjusted() <= MAX_EXPONENT:
        raise ValueError(f"an amount must be between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT}")
    return result


Money = Annotated[Decimal, BeforeValidator(to_decimal), PlainSerializer(lambda d: str(d), return_type=str)]


def loads(text: str | bytes) -> Any:
    """Parse JSON keeping every non-integer number exact."""
    return json.loads(text, parse_float=Decimal)


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json", exclude_none=True)
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def dumps(obj: Any, **kw: Any) -> str:
    """Serialise to JSON; Decimals become strings, never floats."""
    return json.dumps(obj, default=_default, ensure_ascii=False, **kw)
