"""Reading Qonto's paged answers strictly: an answer that is not the expected object, a list
that is not a list, a next page that is not a page number are errors, never "no records"
(which would move the saved fetch state past records never read)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from syncdoctor import VendorError

if TYPE_CHECKING:
    from syncdoctor import VendorClient

__all__ = ["_items", "_json", "_next_page"]


def _json(client: VendorClient, path: str, params: Any) -> dict[str, Any]:
    response = client.request("GET", path, params=params)
    body = client.json_of(response, path)  # Decimal, never float: these are amounts
    if not isinstance(body, dict):
        raise VendorError("qonto", f"{path} answered {type(body).__name__}, expected an object", response.status_code)
    return body


def _items(body: dict[str, Any], key: str, path: str) -> list[Any]:
    """The listing's records: a 200 whose list is missing or not a list is an error, never
    "no records" (which would move the saved state past records never read)."""
    items = body.get(key)
    if not isinstance(items, list):
        shown = "missing" if items is None else f"a {type(items).__name__}, not a list"
        raise VendorError("qonto", f"{path} answered 200 but its {key!r} is {shown}; the state was not moved")
    return items


def _next_page(body: dict[str, Any], current: int) -> int | None:
    found = body.get("meta")
    meta: dict[str, Any] = found if isinstance(found, dict) else {}
    raw = meta.get("next_page")
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not (isinstance(raw, int) or (isinstance(raw, str) and raw.isascii() and raw.isdigit()
                                                             and len(raw) < 10)):
        raise VendorError("qonto", f"meta.next_page is not a page number: {str(raw)[:60]!r}")
    following = int(raw)
    if following == 0:
        return None
    if following <= current:
        raise VendorError("qonto", f"pagination went backwards (page {current} -> {following})")
    return following
