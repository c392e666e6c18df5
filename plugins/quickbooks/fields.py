"""QuickBooks field rules the pack calls: length limits per entity and field, and the
characters a name may not hold; with the fixed value and whether software may apply it
alone (only when nothing can collide with it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from syncdoctor import value_of

from .context import QuickBooksContext

__all__ = ["FIELD_LIMITS", "Overlong", "as_context", "clean_name", "first_overlong", "fold", "shorten", "value_of"]

# (entity path, QuickBooks element, maximum length). Sources: Intuit's 2050 errors
# (DocNumber Max:21, item Name Max:100 in TaxDome's own example) and the QBO entity schemas.
# A path ending in "[*].x" is checked on every item of the list.
FIELD_LIMITS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "invoice": (
        ("doc_number", "DocNumber", 21),
        ("memo", "CustomerMemo", 1000),
        ("private_note", "PrivateNote", 4000),
        ("lines[*].description", "Line.Description", 4000),
    ),
    "payment": (
        ("doc_number", "DocNumber", 21),
        ("reference", "PaymentRefNum", 21),
        ("private_note", "PrivateNote", 4000),
    ),
    "refund": (
        ("doc_number", "DocNumber", 21),
        ("private_note", "PrivateNote", 4000),
    ),
    "service": (
        ("name", "Name", 100),
        ("description", "Description", 4000),
    ),
    "customer": (
        ("display_name|name", "DisplayName", 500),
        ("given_name", "GivenName", 100),
        ("family_name", "FamilyName", 100),
        ("company_name", "CompanyName", 500),
        ("email", "PrimaryEmailAddr", 100),
        ("notes", "Notes", 2000),
    ),
    "expense": (
        ("description", "Line.Description", 4000),
        ("private_note", "PrivateNote", 4000),
    ),
}

# Names QuickBooks keeps unique: shortening one of them may land on another record's name.
_UNIQUE_ELEMENTS = {"DocNumber", "Name", "DisplayName", "PaymentRefNum"}

_INVALID_NAME_CHARS = re.compile(r"[:\t\r\n]")


def as_context(value: Any) -> QuickBooksContext:
    if isinstance(value, QuickBooksContext):
        return value
    if isinstance(value, Mapping):
        return QuickBooksContext.model_validate(value)
    return QuickBooksContext()


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


# ------------------------------------------------------------------ field lengths


@dataclass(frozen=True)
class Overlong:
    """The first field of an entity that is longer than QuickBooks accepts."""

    pointer: str
    element: str
    max: int
    supplied: int
    value: str

    @property
    def fixed(self) -> str:
        return shorten(self.value, self.max)


def shorten(value: str, limit: int) -> str:
    """The value cut to ``limit`` characters, without a dangling space (idempotent)."""
    return value[:limit].rstrip() if len(value) > limit else value


def _plan(path: str) -> tuple[tuple[str, ...], str | None]:
    """(alternative field names, item field) of a FIELD_LIMITS path: ``a|b`` is the first
    present of a and b; ``lines[*].x`` is x on every item of lines."""
    if "[*]." in path:
        head, tail = path.split("[*].", 1)
        return (head,), tail
    return tuple(path.split("|")), None


_PLANS = {kind: tuple((*_plan(path), element, limit) for path, element, limit in limits)
          for kind, limits in FIELD_LIMITS.items()}


def first_overlong(entity: Any) -> Overlong | None:
    """The first field longer than QuickBooks accepts, in FIELD_LIMITS order (runs on every
    QuickBooks entity: plain loops, no generator)."""
    for names, tail, element, limit in _PLANS.get(str(value_of(entity, "kind")), ()):
        if tail is not None:
            for i, item in enumerate(value_of(entity, names[0]) or ()):
                value = value_of(item, tail)
                if isinstance(value, str) and len(value) > limit:
                    return Overlong(f"/{names[0]}/{i}/{tail}", element, limit, len(value), value)
            continue
        for name in names:  # the first present alternative is the one QuickBooks receives
            value = value_of(entity, name)
            if value is not None:
                if isinstance(value, str) and len(value) > limit:
                    return Overlong(f"/{name}", element, limit, len(value), value)
                break
    return None


def too_long(entity: Any) -> bool:
    return first_overlong(entity) is not None


def _collision_free(entity: Any, element: str, new_value: str, context: Any) -> bool:
    """True only when software may rename on its own: a service, and no known clash."""
    if value_of(entity, "kind") != "service":
        return False
    if element not in _UNIQUE_ELEMENTS:
        return True  # descriptions and notes are not unique: cutting one collides with nothing
    items = as_context(context).items
    if items is None:
        return False  # names unknown: a person must check
    return fold(new_value) not in {fold(i) for i in items}


def too_long_facts(entity: Any, context: Any) -> dict[str, Any] | None:
    """The first field longer than QuickBooks allows and how to shorten it, as the params of
    quickbooks.string_too_long (one call; the pack picks each param): the shortened value
    goes to ``safe_fixed`` when software may apply it alone, to ``risky_fixed`` otherwise."""
    found = first_overlong(entity)
    if found is None:
        return None
    safe = _collision_free(entity, found.element, found.fixed, context)
    return {"element": found.element, "min": 0, "max": found.max, "supplied": found.supplied,
            "field": found.pointer, "fixed": found.fixed,
            "safe_fixed" if safe else "risky_fixed": found.fixed}


# ------------------------------------------------------------------ names


def _name_field(entity: Any) -> tuple[str, str] | None:
    kind = value_of(entity, "kind")
    if kind == "customer":
        for name in ("display_name", "name"):
            value = value_of(entity, name)
            if isinstance(value, str):
                return f"/{name}", value
    if kind == "service":
        value = value_of(entity, "name")
        if isinstance(value, str):
            return "/name", value
    return None


def clean_name(name: str) -> str:
    """``:`` separates levels (Parent:Child) in QuickBooks names; tabs and newlines are refused."""
    text = re.sub(r"\s*:\s*", " - ", name)
    return " ".join(re.sub(r"[\t\r\n]", " ", text).split()).strip(" -") or "-"


def has_invalid_characters(entity: Any) -> bool | None:
    field = _name_field(entity)
    return None if field is None else bool(_INVALID_NAME_CHARS.search(field[1]))


def name_facts(entity: Any, context: Any) -> dict[str, Any] | None:
    """The name QuickBooks refuses and its cleaned form, as the params of
    quickbooks.invalid_characters (one call; the pack picks each param)."""
    field = _name_field(entity)
    if field is None:
        return None
    pointer, value = field
    fixed = clean_name(value)
    safe = _collision_free(entity, "Name", fixed, context)
    return {"field": pointer, "name": value, "fixed": fixed,
            "element": "DisplayName" if value_of(entity, "kind") == "customer" else "Name",
            "safe_fixed" if safe else "risky_fixed": fixed}
