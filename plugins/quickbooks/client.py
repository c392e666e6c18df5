"""The HTTP side shared by fetch and push: one :class:`~syncdoctor.VendorClient` per call.

QuickBooks answers a refusal with a Fault document that we must read (400, and 401 or 403
for credentials). ``VendorClient`` turns every non-retryable 4xx into an exception that
keeps only a short message, so :class:`KeepFaults` hands those answers to it as 200 and
keeps the real status in a header; push reads them as reports, fetch raises with them. 429 and 5xx still reach the client and
are retried with backoff (``Retry-After`` honoured).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import httpx
from pydantic import SecretStr
from syncdoctor import InputError, RetryPolicy, VendorClient, loads

__all__ = ["MINOR_VERSION", "PRODUCTION", "STATUS_HEADER", "KeepFaults", "body_of", "jsonable", "make_client", "quote",
           "secret"]

PRODUCTION = "https://quickbooks.api.intuit.com"
MINOR_VERSION = "75"
STATUS_HEADER = "x-syncdoctor-status"
_KEPT = {400, 401, 403, 404}


class KeepFaults(httpx.BaseTransport):
    """Passes QuickBooks' Fault answers through as 200 (real status in ``STATUS_HEADER``)."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if response.status_code not in _KEPT:
            return response
        content = response.read()
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "transfer-encoding")]
        headers.append((STATUS_HEADER, str(response.status_code)))
        return httpx.Response(200, headers=headers, content=content, request=request)

    def close(self) -> None:
        self.inner.close()


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
    keep_faults: bool = False,
) -> VendorClient:
    bearer = secret(token, "token")

    def headers() -> Mapping[str, str]:  # the token is materialised here only, per request
        return {"Authorization": f"Bearer {bearer.get_secret_value()}", "Accept": "application/json"}

    inner = KeepFaults(transport) if keep_faults else transport
    return VendorClient("quickbooks", base_url or PRODUCTION, headers, retry=retry, transport=inner)


def body_of(response: httpx.Response) -> tuple[int, Any]:
    """The real status and the body parsed with exact decimals (never binary floats)."""
    status = int(response.headers.get(STATUS_HEADER, response.status_code))
    text = response.text
    if not text.strip():
        return status, None
    try:
        return status, loads(text)
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

