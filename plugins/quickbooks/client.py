"""The HTTP side shared by fetch and push: one :class:`~syncdoctor.VendorClient` per call.

QuickBooks answers a refusal with a Fault document that we must read (400, and 401 or 403
for credentials). ``VendorClient`` raises a :class:`~syncdoctor.VendorError` for every
non-retryable 4xx, with the parsed answer in ``.body``; :func:`answer` turns that back into
``(status, body)`` so push reads a Fault as reports and fetch raises with what QuickBooks said.
429 and 5xx are retried by the client with backoff (``Retry-After`` honoured).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from syncdoctor import InputError, VendorError, loads
from syncdoctor.vendors.limits import Limits

if TYPE_CHECKING:
    import httpx

    from syncdoctor import RetryPolicy, VendorClient

__all__ = ["MINOR_VERSION", "PRODUCTION", "answer", "body_of", "jsonable", "make_client", "quote", "secret"]

PRODUCTION = "https://quickbooks.api.intuit.com"
MINOR_VERSION = "75"


def secret(value: Any, name: str) -> SecretStr:
    if isinstance(value, SecretStr):
        if not value.get_secret_value():
            raise InputError(None, name, "is empty")
        return value
    if not value:
        raise InputError(None, name, "is required (QuickBooks OAuth 2.0 access token; env QBO_TOKEN)")
    return SecretStr(str(value))


def make_client(
    base_url: str | None,
    token: Any,
    *,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
    limits: Limits | None = None,
) -> VendorClient:
    bearer = secret(token, "token")

    def headers() -> Mapping[str, str]:  # the token is materialised here only, per request
        return {"Authorization": f"Bearer {bearer.get_secret_value()}", "Accept": "application/json"}

    from syncdoctor import VendorClient  # httpx loads with the first client, not with the plugin

    return VendorClient("quickbooks", base_url or PRODUCTION, headers, retry=retry, transport=transport,
                        limits=limits)


def answer(client: VendorClient, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    """QuickBooks' status and answer, a refusal included: a 4xx Fault comes back as
    ``(status, Fault)`` from ``VendorError.body`` instead of an exception. Errors without a
    status (retries exhausted) are raised."""
    try:
        response = client.request(method, path, **kwargs)
    except VendorError as exc:
        if exc.status is None or exc.status >= 500:
            raise
        return exc.status, exc.body
    return body_of(response)


def body_of(response: httpx.Response) -> tuple[int, Any]:
    """The status and the body parsed with exact decimals (never binary floats)."""
    status = response.status_code
    text = response.text
    if not text.strip():
        return status, None
    try:
        return status, loads(text)
    except RecursionError:
        raise VendorError("quickbooks", "the answer is JSON nested too deeply", status) from None
    except ValueError:
        return status, text  # XML or an HTML error page: kept as text, faults.py reads XML


def jsonable(value: Any) -> Any:
    """Request bodies with Decimals as strings: httpx's JSON encoder refuses Decimal, and a
    float would lose the cents. QuickBooks reads numeric strings for amounts."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def quote(value: str) -> str:
    """A string literal of the QuickBooks query language."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

