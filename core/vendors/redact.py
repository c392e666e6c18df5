"""Taking secrets out of what a vendor says before it becomes a message, a log line or a repr.

A vendor error body is untrusted text: a misbehaving server may echo our ``Authorization``
header, a token or a password back. Three passes, each cheap:

* every secret value we sent (the header values of the request) is replaced wherever it
  appears, whatever the field name;
* in JSON, the value of any key that names a credential is replaced;
* in text, ``Authorization: …``/``Bearer …`` and ``key=value`` pairs naming a credential, and
  the userinfo of URLs (``https://user:pass@host``) are replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["MASK", "SECRET_NAME", "redact_text", "redact_value", "strip_userinfo"]

MASK = "***"
SECRET_NAME = re.compile(r"(?i)(authori[sz]ation|token|secret|password|passwd|motdepasse|api[_-]?key|uuid|cookie|"
                         r"signature|credential)")
_TEXT_PAIRS = re.compile(
    r"(?i)\b(authori[sz]ation|x-[\w-]*token|[\w-]*token|[\w-]*secret[\w-]*|password|motdepasse|api[_-]?key|uuid)"
    r"(\"?\s*[:=]\s*\"?)([^\s\"',;&}]+)")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")
_MIN_SECRET = 4  # shorter "secrets" (a CNX code) would mask ordinary words


def strip_userinfo(url: str) -> str:
    return _USERINFO.sub(r"\1", url)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in sorted({s for s in secrets if s and len(s) >= _MIN_SECRET}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _USERINFO.sub(r"\1" + MASK + "@", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _TEXT_PAIRS.sub(lambda m: m.group(1) + m.group(2) + MASK, text)


def redact_value(value: Any, secrets: Iterable[str] = (), depth: int = 0) -> Any:
    """A copy of a parsed JSON value with credentials masked (keys and known secret values)."""
    secrets = tuple(secrets)
    if depth > 64:
        return MASK
    if isinstance(value, dict):
        return {k: (MASK if isinstance(k, str) and SECRET_NAME.search(k) and value[k] not in (None, "")
                    else redact_value(v, secrets, depth + 1)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v, secrets, depth + 1) for v in value]
    if isinstance(value, str):
        return redact_text(value, secrets)
    return value
