"""Talking to vendor APIs: timeouts, retries with backoff, ``Retry-After``, secret-safe auth,
and caps on what a vendor may cost (bytes, time, waiting).

Every plugin that speaks HTTP uses :class:`VendorClient`, so that retry, caps and secret
handling are written once.

What is retried, and why it never writes twice: a GET (any idempotent method) is retried on
429, 5xx and transport errors. A POST or PATCH is retried only when the failure proves the
request was not processed (the connection was refused, or a 429), or when the caller gave an
``idempotency_key`` (sent in ``Idempotency-Key`` or the header it names), so that the vendor
recognises the second attempt. Otherwise a lost answer is :class:`OutcomeUnknown`: the write
may have happened, and the caller must read back before trying again.
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

from ..errors import InputError, VendorAuthError, VendorError
from ..model.money import loads
from .limits import LimitExceeded, Limits
from .redact import SECRET_NAME, redact_text, redact_value, strip_userinfo

__all__ = ["Limits", "OutcomeUnknown", "RetryPolicy", "VendorClient", "parse_retry_after"]

log = logging.getLogger("syncdoctor.http")

LONG_WAIT = 5.0
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: failures that prove the request never reached the server's handler
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class OutcomeUnknown(VendorError):
    """A write whose answer was lost: it may have been applied. Not retried blindly."""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value) if len(value) < 12 else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
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


def _checked_url(vendor: str, base_url: str) -> httpx.URL:
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise InputError(None, "base_url", f"{strip_userinfo(str(base_url))[:200]!r} is not a URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise InputError(None, "base_url", f"{strip_userinfo(str(base_url))[:200]!r} is not an http(s) URL with a host "
                         f"({vendor})")
    return url


class VendorClient:
    """An httpx client for one vendor that retries what is safe to retry.

    * 429: waits ``Retry-After`` when given (capped by ``max_wait``), else backs off;
    * 5xx and transport errors (refused, dropped, timed out): backs off and retries
      (writes: see the module docstring);
    * 401/403: raises :class:`VendorAuthError` at once: retrying bad credentials only
      gets a client throttled;
    * other 4xx: raises :class:`VendorError` with the vendor's message, redacted.

    ``limits`` caps every answer's size, every call's time, the client's whole life (a fetch)
    and the total time slept between retries; see :class:`~syncdoctor.vendors.limits.Limits`.

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
        limits: Limits | None = None,
        idempotency_header: str = "Idempotency-Key",
    ) -> None:
        self.vendor = vendor
        url = _checked_url(vendor, str(base_url).rstrip("/"))
        real_url = str(url).rstrip("/")
        # credentials in the URL (http://user:pass@host) never reach a repr, a log or an error
        self.base_url = str(url.copy_with(userinfo=b"")).rstrip("/") if url.userinfo else real_url
        self._shown_url = self.base_url
        self._url_secrets = tuple(p for p in (url.username, url.password) if p)
        self._headers = headers or (dict)
        self.retry = retry or RetryPolicy()
        self.limits = limits or Limits.from_env()
        self.timeout = timeout
        self.idempotency_header = idempotency_header
        self.stats: dict[str, int] = {"requests": 0, "retries": 0, "throttled": 0, "server_errors": 0, "dropped": 0,
                                      "bytes": 0, "waited_ms": 0}
        self._started = time.monotonic()
        self._waited = 0.0
        self._client = httpx.Client(base_url=real_url, timeout=timeout, transport=transport)

    def __repr__(self) -> str:
        return f"VendorClient(vendor={self.vendor!r}, base_url={self._shown_url!r}, auth=***)"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> VendorClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- secrets and limits

    def _secrets(self, sent: Mapping[str, str], body: Any = None) -> list[str]:
        """The credential values this request carried (headers named like credentials, and
        such fields of a JSON body, e.g. a login's password), to mask wherever they show up."""
        out = list(self._url_secrets)
        values = [v for k, v in sent.items() if SECRET_NAME.search(k)]
        if isinstance(body, Mapping):
            values += [str(v) for k, v in body.items() if isinstance(k, str) and SECRET_NAME.search(k) and v]
        for value in values:
            out.append(value)
            out.extend(part for part in value.replace(":", " ").split() if len(part) >= 6)
        return out

    def _remaining(self) -> float:
        left = self.limits.total_deadline - (time.monotonic() - self._started)
        if left <= 0:
            raise LimitExceeded(self.vendor, f"gave up: the whole exchange took more than {self.limits.total_deadline:g}s",
                                "total_deadline")
        return left

    def _wait(self, seconds: float, why: str) -> None:
        if self._waited + seconds > self.limits.max_retry_wait:
            raise LimitExceeded(self.vendor, f"gave up after {why}: waiting {seconds:.1f}s more would exceed "
                                f"{self.limits.max_retry_wait:g}s of retry waits in total", "max_retry_wait")
        if seconds >= self._remaining():
            raise LimitExceeded(self.vendor, f"gave up after {why}: waiting {seconds:.1f}s would pass the "
                                f"{self.limits.total_deadline:g}s deadline", "total_deadline")
        self._waited += seconds
        self.stats["waited_ms"] += int(seconds * 1000)
        if seconds >= LONG_WAIT:  # a long wait is said, not silent (the CLI shows warnings)
            log.warning("%s: %s; waiting %.0fs before trying again (%.0fs of %gs of retry waits used)", self.vendor,
                        why, seconds, self._waited, self.limits.max_retry_wait)
        self.retry.sleep(seconds)

    def _send(self, method: str, path: str, params: Any, json: Any, headers: dict[str, str]) -> httpx.Response:
        """One HTTP exchange with the body read under the byte cap and the call deadline."""
        budget = min(self.limits.call_deadline, self._remaining())
        started = time.monotonic()
        timeout = httpx.Timeout(min(self.timeout, budget))
        request = self._client.build_request(method, path, params=params, json=json, headers=headers, timeout=timeout)
        response = self._client.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.limits.max_bytes:
                raise LimitExceeded(self.vendor, f"{method} {path} announced {int(declared)} bytes, more than "
                                    f"{self.limits.max_bytes}", "max_bytes")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.limits.max_bytes:
                    raise LimitExceeded(self.vendor, f"{method} {path} answered more than {self.limits.max_bytes} bytes",
                                        "max_bytes")
                chunks.append(chunk)
                if time.monotonic() - started > budget:  # the limit that set the budget is the one named
                    limit = "call_deadline" if budget >= self.limits.call_deadline else "total_deadline"
                    raise LimitExceeded(self.vendor, f"{method} {path} took more than {budget:g}s to answer "
                                        f"({size} bytes so far)", limit)
        finally:
            response.close()
        self.stats["bytes"] += size
        kept = {k: v for k, v in response.headers.items() if k.lower() not in ("content-encoding", "content-length")}
        return httpx.Response(response.status_code, headers=kept, content=b"".join(chunks), request=request)

    # -- the call

    def request(self, method: str, path: str, *, params: Any = None, json: Any = None,
                idempotency_key: str | None = None, repeatable: bool = False) -> httpx.Response:
        """One call with retries. ``idempotency_key`` makes a write safe to send again (the
        vendor recognises it); ``repeatable`` says a POST changes nothing when repeated (a
        login)."""
        method = method.upper()
        retry_unsure = method in IDEMPOTENT or idempotency_key is not None or repeatable
        last: str = ""
        for attempt in range(1, self.retry.attempts + 1):
            self.stats["requests"] += 1
            sent = dict(self._headers())
            if idempotency_key is not None:
                sent[self.idempotency_header] = idempotency_key
            try:
                response = self._send(method, path, params, json, sent)
            except httpx.DecodingError as exc:  # a body that says gzip and is not: not worth a retry
                raise VendorError(self.vendor, f"{method} {path}: the answer could not be decoded "
                                  f"({type(exc).__name__})") from None
            except httpx.TransportError as exc:
                self.stats["dropped"] += 1
                last = f"{type(exc).__name__} talking to {self._shown_url}"
                if not retry_unsure and not isinstance(exc, _NOT_SENT):
                    raise OutcomeUnknown(self.vendor, f"{method} {path}: the answer was lost ({type(exc).__name__}); "
                                         "the write may have been applied, so it is not sent again: read back "
                                         "before retrying") from None
                wait = self.retry.delay(attempt)
            else:
                status = response.status_code
                if status < 400:
                    return response
                secrets = self._secrets(sent, json)
                if status in (401, 403):
                    raise VendorAuthError(self.vendor, _message(response, secrets) or "credentials refused", status,
                                          _code(response), _body(response, secrets))
                if status == 429:
                    self.stats["throttled"] += 1
                    hinted = parse_retry_after(response.headers.get("retry-after"))
                    wait = min(self.retry.max_wait, hinted) if hinted is not None else self.retry.delay(attempt)
                    last = "throttled (429)"
                elif status >= 500:
                    self.stats["server_errors"] += 1
                    wait = self.retry.delay(attempt)
                    last = f"server error {status}"
                    if not retry_unsure:
                        raise OutcomeUnknown(self.vendor, f"{method} {path} failed with {status}: "
                                             f"{_message(response, secrets) or 'no detail'}; not sent again, since "
                                             "the write may have been applied", status, _code(response),
                                             _body(response, secrets))
                else:
                    raise VendorError(self.vendor, _message(response, secrets) or f"HTTP {status}", status,
                                      _code(response), _body(response, secrets))
            if attempt < self.retry.attempts:
                self.stats["retries"] += 1
                log.info("%s: %s; retry %d in %.2fs", self.vendor, last, attempt, wait)
                self._wait(wait, last)
        raise VendorError(self.vendor, f"gave up after {self.retry.attempts} attempts: {last}")

    def get_json(self, path: str, params: Any = None) -> Any:
        return self.json_of(self.request("GET", path, params=params), path)

    def json_of(self, response: httpx.Response, path: str) -> Any:
        """The answer's JSON with exact decimals, or a VendorError saying it is not JSON."""
        try:
            return loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise VendorError(self.vendor, f"{path} did not answer JSON", response.status_code) from None
        except RecursionError:
            raise VendorError(self.vendor, f"{path} answered JSON nested too deeply", response.status_code) from None


def _parsed(response: httpx.Response) -> Any:
    try:
        return loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def _message(response: httpx.Response, secrets: list[str]) -> str:
    body = _parsed(response)
    if body is None:
        return redact_text(response.text[:200], secrets)
    text = ""
    if isinstance(body, dict):
        for key in ("message", "error", "detail"):
            if isinstance(body.get(key), str):
                text = body[key][:300]
                break
        else:
            errors = body.get("errors")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                text = str(errors[0].get("detail") or errors[0].get("code") or "")[:300]
            else:
                text = str(redact_value(body, secrets))[:200]
    else:
        text = str(redact_value(body, secrets))[:200]
    return redact_text(text, secrets)


def _body(response: httpx.Response, secrets: list[str]) -> Any:
    """What a refusal said, for ``VendorError.body``: JSON with exact decimals (a vendor's
    amounts must not become binary floats on their way to a diagnosis), else the text; None
    when empty. Credentials are masked either way."""
    text = response.text
    if not text.strip():
        return None
    try:
        return redact_value(loads(text), secrets)
    except (ValueError, RecursionError):
        return redact_text(text[:10_000], secrets)


def _code(response: httpx.Response) -> str | None:
    body = _parsed(response)
    if isinstance(body, dict):
        if isinstance(body.get("error_code"), str):
            return body["error_code"]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict) and errors[0].get("code"):
            return str(errors[0]["code"])[:100]
    return None


def secret_headers(**secrets: SecretStr | str | None) -> dict[str, str]:
    """Build headers from secrets at the last moment (helper for plugins)."""
    return {k: (v.get_secret_value() if isinstance(v, SecretStr) else v) for k, v in secrets.items() if v is not None}
