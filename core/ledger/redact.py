"""Credentials never reach the ledger: reports are redacted, then capped, before they are stored.

A rejection's payload is whatever the vendor or the host sent: it may echo an Authorization
header, an OAuth token, a client secret, a password, or a URL with ``user:password@``. Keys
that name a credential have their value replaced wherever they appear; strings are scanned for
bearer tokens, ``key=value`` credentials and URL userinfo. The result is then cut to a size
(``report_bytes``): a huge payload keeps its head and says it was truncated.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["REDACTED", "cap_report", "redact", "redact_diagnosis"]

REDACTED = "[redacted]"
_SECRET_KEY = re.compile(
    r"(authorization|auth[_-]?token|access[_-]?token|refresh[_-]?token|id[_-]?token|bearer|token|"
    r"secret|password|passwd|pwd|api[_-]?key|apikey|private[_-]?key|client[_-]?secret|cookie|"
    r"set-cookie|session[_-]?id|signature|credentials?)",
    re.IGNORECASE,
)
# in free text: "Bearer eyJ...", "Basic dXNlcjpw...", "token=...", "password: ..."
_TEXT_PATTERNS = (
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    (re.compile(r"(?i)\b(access_token|refresh_token|id_token|token|api_key|apikey|client_secret|secret|"
                r"password|passwd|pwd)(\s*[=:]\s*)(\"?)[^\s&\"',;]+"), r"\1\2\3" + REDACTED),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"), r"\1" + REDACTED + "@"),
)


# one cheap search first: most strings hold no credential and skip the three substitutions
_MAYBE = re.compile(r"(?i)bearer|basic|token|secret|passw|pwd|api_?key|://")


def _redact_text(text: str) -> str:
    if not _MAYBE.search(text):
        return text
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(value: Any, _depth: int = 0) -> Any:
    """A copy of ``value`` with every credential replaced by ``[redacted]``."""
    if _depth > 50:
        return REDACTED  # nested past reason: drop rather than risk what it holds
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) and v not in (None, "")
                else redact(v, _depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v, _depth + 1) for v in value]
    if isinstance(value, str):
        return _redact_text(value)
    return value


def redact_diagnosis(diagnosis: dict[str, Any]) -> dict[str, Any]:
    """A diagnosis with credentials redacted. Its texts are the packs' templates filled with its
    params, so when the params hold no credential neither do the texts: the whole diagnosis is
    scanned only when the params had something to redact (a fast path for the intake)."""
    params = diagnosis.get("params") or {}
    if redact(params) == params:
        return diagnosis
    return dict(redact(diagnosis))


def cap_report(report: dict[str, Any], limit: int) -> tuple[dict[str, Any], bool]:
    """The redacted report, cut to about ``limit`` bytes of JSON; and whether it was cut.

    The message is kept whole up to the limit; a payload too big is replaced by the head of
    its JSON text, so what is stored is still the vendor's words, only fewer of them.
    """
    clean = redact(report)
    text = json.dumps(clean, ensure_ascii=False, default=str)
    if len(text.encode()) <= limit:
        return clean, False
    out = dict(clean)
    payload = out.pop("payload", None)
    message = out.get("message")
    if isinstance(message, str) and len(message.encode()) > limit // 2:
        out["message"] = message.encode()[: limit // 2].decode(errors="ignore") + "…"
    if payload is not None:
        room = max(0, limit - len(json.dumps(out, ensure_ascii=False, default=str).encode()) - 64)
        head = json.dumps(payload, ensure_ascii=False, default=str).encode()[:room].decode(errors="ignore")
        out["payload_head"] = head
    return out, True
