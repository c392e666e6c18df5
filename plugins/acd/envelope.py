"""ACD's answer envelope, ``{"codeRetour", "description", "listeErreurs"}``, into error reports.

ACD answers every write with the same envelope: ``codeRetour`` 1 and ``"OK"``, or 0, ``"KO"``
and one ``{erreur, description}`` per error (vendor-apis.md §5.2). One rejection may hold
several errors, and each one is a problem of its own, so a report carrying the envelope is
split into one report per error before the patterns are matched.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from syncdoctor import ErrorReport, loads

__all__ = ["errors_of", "is_accepted", "report_from_envelope", "split_report"]


def _envelope(value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, Mapping) and ("listeErreurs" in value or "codeRetour" in value):
        return value
    return None


def is_accepted(envelope: Any) -> bool:
    """Whether ACD accepted the request (``codeRetour`` 1, or an envelope without errors)."""
    env = _envelope(envelope)
    if env is None:
        return False
    if str(env.get("codeRetour", "")) == "1":
        return True
    return str(env.get("codeRetour", "")) == "" and not errors_of(env)


def errors_of(envelope: Any) -> list[tuple[str | None, str]]:
    """``(code, description)`` of each error of an envelope, in order."""
    env = _envelope(envelope)
    if env is None:
        return []
    raw = env.get("listeErreurs")
    if not isinstance(raw, list):
        return []
    out: list[tuple[str | None, str]] = []
    for item in raw:
        if isinstance(item, Mapping):
            code = item.get("erreur") if item.get("erreur") not in (None, "") else item.get("code")
            text = item.get("description") or item.get("message") or ""
            out.append((str(code) if code not in (None, "") else None, str(text)))
        elif isinstance(item, str):
            out.append((None, item))
    return out


def report_from_envelope(
    envelope: Mapping[str, Any], *, http_status: int | None = None, record: str | None = None
) -> ErrorReport:
    """One report for a KO answer; its message lists every error, its payload keeps them apart."""
    errors = errors_of(envelope)
    first_code = errors[0][0] if errors else None
    message = " | ".join(text for _, text in errors if text) or str(envelope.get("description") or "KO")
    return ErrorReport(
        vendor="acd", message=message, code=first_code, http_status=http_status, payload=dict(envelope), record=record
    )


def _payload_of(report: ErrorReport) -> Mapping[str, Any] | None:
    env = _envelope(report.payload)
    if env is not None:
        return env
    text = report.message.strip()
    # a host may paste the raw answer as the message
    if text.startswith("{") and "listeErreurs" in text:
        try:
            return _envelope(loads(text))
        except (ValueError, json.JSONDecodeError):
            return None
    return None


def _platform_error(report: ErrorReport) -> list[ErrorReport]:
    """ACD's own words relayed by a sync platform: Chift's documented error shape
    ``{"status": "error", "message", "error_code"}`` (docs.chift.eu/home/errors), e.g.
    ``UNEXPECTED_ACD_ERROR`` with "Plan de classement inaccessible". Only when the report is
    addressed to ACD, so another vendor's bodies stay with their plugin."""
    body = report.payload
    if report.vendor is None or not isinstance(body, Mapping):
        return [report]
    message, code = body.get("message"), body.get("error_code")
    if not isinstance(message, str) or not isinstance(code, str) or body.get("status") != "error":
        return [report]
    return [report.model_copy(update={"message": message, "code": report.code or code, "payload": None})]


def split_report(report: ErrorReport) -> list[ErrorReport]:
    """One report per error of an ACD envelope; a sync platform's error about ACD becomes its
    message and code; any other report is returned unchanged."""
    env = _payload_of(report)
    if env is None:
        return _platform_error(report)
    errors = errors_of(env)
    if not errors:
        return [report]
    # a lone error without a code of its own may still have been given one by the caller
    inherited = report.code if len(errors) == 1 else None
    return [
        report.model_copy(update={"message": text, "code": code if code is not None else inherited,
                                  "vendor": report.vendor or "acd"})
        for code, text in errors
    ]
