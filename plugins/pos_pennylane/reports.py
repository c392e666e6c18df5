"""Raw error reports of the sync platform, Pennylane and the POS, made ready to classify.

Shapes understood (vendor-apis.md §3.4, §4.2, §4.4):

* the sync platform (Chift): ``{"status": "error", "message", "error_code": "ERROR_…", "detail"}``;
* Pennylane: ``{"error": "unprocessable_entity", "message", "details": {...}}`` and the older
  ``{"status": 422, "error": "…"}``;
* an execution's detailed log: ``{"errors": [{"message", "code"|"error_code", "http_status"}]}``,
  split into one report per error.

A payload given as JSON text (or a message that is JSON) is parsed first. When the report
names no vendor, only the sync platform's own shape (an ``ERROR_…`` code) is taken, so
that another vendor's payloads are left to their plugin.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from syncdoctor import ErrorReport, loads

__all__ = ["normalize"]


def _parsed(value: Any) -> Any:
    if isinstance(value, (str, bytes)) and value.strip()[:1] in ("{", "[", b"{", b"["):
        try:
            return loads(value)
        except (ValueError, json.JSONDecodeError):
            return None
    return value


def _status(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)) or (isinstance(value, str) and value.isdigit()):
        number = int(value)
        return number if 100 <= number <= 599 else None
    return None


def _one(report: ErrorReport, body: dict[str, Any]) -> ErrorReport:
    message = body.get("message") if isinstance(body.get("message"), str) else None
    error = body.get("error") if isinstance(body.get("error"), str) else None
    code = body.get("error_code") or body.get("code")
    detail = body.get("detail")
    details = body.get("details")
    text = message or error or report.message
    if isinstance(detail, str) and detail and detail not in text:
        text = f"{text}: {detail}"
    params = dict(report.params)
    if isinstance(details, dict):
        params.update({f"detail_{k}": v for k, v in details.items() if isinstance(v, (str, int))})
    if error and message:  # Pennylane: "error" is the code-like word, "message" the sentence
        code = code or error
    return report.model_copy(update={
        "message": text or "",
        "code": report.code or (str(code) if code is not None else None),
        "http_status": report.http_status or _status(body.get("http_status")) or _status(body.get("status")),
        "params": params,
        "payload": None,
    })


def normalize(report: ErrorReport) -> list[ErrorReport]:
    """Split or enrich one raw report; never raises, returns ``[report]`` when unsure."""
    try:
        body = _parsed(report.payload)
        if body is None and not report.payload:
            body = _parsed(report.message)
        if not isinstance(body, dict):
            return [report]
        code = body.get("error_code")
        ours = isinstance(code, str) and code.startswith("ERROR_")
        if report.vendor is None and not ours:
            return [report]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and all(isinstance(e, dict) for e in errors):
            return [_one(report, e) for e in errors]
        return [_one(report, body)]
    except Exception:  # a malformed payload must never stop classification
        return [report]
