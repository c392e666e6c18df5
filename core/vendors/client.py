"""Talking to vendor APIs: timeouts, retries with backoff, ``Retry-After``, secret-safe auth.

Every plugin that speaks HTTP uses :class:`VendorClient`, so that retry and secret
handling are written once.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from pydantic import SecretStr

from ..errors import VendorAuthError, VendorError
from ..model.money import loads

__all__ = ["RetryPolicy", "VendorClient", "parse_retry_after"]

log = logging.getLogger("syncdoctor.http")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class RetryPolicy:
    """How often and how long to retry. ``sleep`` is injectable so tests need not wait."""

    def __init__(
        self,
        attempts: int = 6,
        backoff: float = 0.2,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.attempts = attempts
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep

    def delay(self, attempt: int) -> float:
        base = min(self.max_wait, self.backoff * (2 ** (attempt - 1)))
        return base * (0.5 + random.random() / 2)


class VendorClient:
    """An httpx client for one vendor that retries what is safe to retry.

    * 429: waits ``Retry-After`` when given (capped by ``max_wait``), else backs off;
    * 5xx and transport errors (refused, dropped, timed out): backs off and retries;
    * 401/403: raises :class:`VendorAuthError` at once: retrying bad credentials only
      gets a client throttled;
    * other 4xx: raises :class:`VendorError` with the vendor's message.

    ``headers`` is a callable so that secrets are only materialised per request and never
    stored in a form that a repr, a log line or an exception could show.
    """

    def __init__(
        self,
        vendor: str,
        base_url: str,
        headers: Callable[[], Mapping[str, str]] | None = None,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.vendor = vendor
        real_url = base_url.rstrip("/")
        url = httpx.URL(real_url)
        # credentials in the URL (http://user:pass@host) never reach a repr, a log or an error
        self.base_url = str(url.copy_with(userinfo=b"")) if url.userinfo else real_url
        self._shown_url = self.base_url
        self._headers = headers or (dict)
        self.retry = retry or RetryPolicy()
        self.stats: dict[str, int] = {"requests": 0, "retries": 0, "throttled": 0, "server_errors": 0, "dropped": 0}
        self._client = httpx.Client(base_url=real_url, timeout=timeout, transport=transport)

    def __repr__(self) -> str:
        return f"VendorClient(vendor={self.vendor!r}, base_url={self._shown_url!r}, auth=***)"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> VendorClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def request(self, method: str, path: str, *, params: Any = None, json: Any = None) -> httpx.Response:
        last: str = ""
        for attempt in range(1, self.retry.attempts + 1):
            self.stats["requests"] += 1
            try:
                response = self._client.request(method, path, params=params, json=json, headers=dict(self._headers()))
            except httpx.TransportError as exc:
                self.stats["dropped"] += 1
                last = f"{type(exc).__name__} talking to {self._shown_url}"
                wait = self.retry.delay(attempt)
            else:
                status = response.status_code
                if status < 400:
                    return response
                if status in (401, 403):
                    raise VendorAuthError(self.vendor, _message(response) or "credentials refused", status,
                                          _code(response), _body(response))
                if status == 429:
                    self.stats["throttled"] += 1
                    hinted = parse_retry_after(response.headers.get("retry-after"))
                    wait = min(self.retry.max_wait, hinted) if hinted is not None else self.retry.delay(attempt)
                    last = "throttled (429)"
                elif status >= 500:
                    self.stats["server_errors"] += 1
                    wait = self.retry.delay(attempt)
                    last = f"server error {status}"
                else:
                    raise VendorError(self.vendor, _message(response) or f"HTTP {status}", status, _code(response),
                                      _body(response))
            if attempt < self.retry.attempts:
                self.stats["retries"] += 1
                log.info("%s: %s; retry %d in %.2fs", self.vendor, last, attempt, wait)
                self.retry.sleep(wait)
        raise VendorError(self.vendor, f"gave up after {self.retry.attempts} attempts: {last}")

    def get_json(self, path: str, params: Any = None) -> Any:
        response = self.request("GET", path, params=params)
        try:
            return response.json()
        except ValueError:
            raise VendorError(self.vendor, f"{path} did not answer JSON", response.status_code) from None


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        for key in ("message", "error", "detail"):
            if isinstance(body.get(key), str):
                return body[key][:300]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("detail") or errors[0].get("code") or "")[:300]
    return str(body)[:200]


def _body(response: httpx.Response) -> Any:
    """What a refusal said, for ``VendorError.body``: JSON with exact decimals (a vendor's
    amounts must not become binary floats on their way to a diagnosis), else the text; None
    when empty."""
    text = response.text
    if not text.strip():
        return None
    try:
        return loads(text)
    except (ValueError, RecursionError):
        return text[:10_000]


def _code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        if isinstance(body.get("error_code"), str):
            return body["error_code"]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict) and errors[0].get("code"):
            return str(errors[0]["code"])
    return None


def secret_headers(**secrets: SecretStr | str | None) -> dict[str, str]:
    """Build headers from secrets at the last moment (helper for plugins)."""
    return {k: (v.get_secret_value() if isinstance(v, SecretStr) else v) for k, v in secrets.items() if v is not None}
