"""Raw rejections as Qonto and its Accounting Hub give them, made classifiable.

The host calls this for reports that carry a raw document (a ``payload``, or a message that is
itself JSON) and for plain text matching :data:`SYNC_FAILED_PATTERN`; anything else comes back
unchanged, as the hook's contract asks.

* A Qonto API error body is JSON:API style, ``{"errors": [{code, detail, source}], "trace_id"}``:
  each error becomes its own report (message = detail, code = code) carrying ``trace_id``,
  ``pointer``, ``parameter``, ``code`` and ``detail`` as params, because support asks for the
  ``trace_id`` and the integrator for the rest. The 428 answers of strong customer
  authentication are flat, ``{"code", "message", "trace_id"}``, and are read the same way.
* "Synchronization Failed: <message of the accounting software>": the Hub's status is a
  Qonto problem, but the message after it belongs to the target. It is split off as a second
  report addressed to the target (``payload.target`` or ``params.target``, e.g. ``acd``), so
  that the target's plugin classifies it; with no target known it goes to every plugin.
"""

from __future__ import annotations

import re
from typing import Any

from syncdoctor import ErrorReport, loads

__all__ = ["ANY_TARGET", "SYNC_FAILED_PATTERN", "normalize_report"]

ANY_TARGET = "accounting_software"
"""Vendor of a split-off target message whose target is unknown: no plugin owns this name,
so the host classifies it against every loaded plugin."""

SYNC_FAILED_PATTERN = (
    r"(?i)(synchroni[sz]ation\s+failed|[ée]chec\s+de\s+(la\s+)?synchronisation|synchronisation\s+[ée]chou[ée]e)"
)
"""RE2 (and Python re) pattern of the Hub's status; the plugin asks the host to pass such text."""

_SYNC_FAILED = re.compile(SYNC_FAILED_PATTERN + r"\s*[:.\-–—]?\s*(?P<rest>.*)", re.DOTALL)


def _payload(report: ErrorReport) -> Any:
    """The raw document: the payload (parsed when it is JSON text), or a message that is JSON."""
    payload = report.payload
    if payload is None and report.message.lstrip()[:1] == "{":
        payload = report.message
    if isinstance(payload, (str, bytes)) and payload.strip()[:1] in ("{", b"{"):
        try:
            return loads(payload)
        except ValueError:
            return payload
    return payload


def _flat_error(report: ErrorReport, payload: Any) -> list[ErrorReport]:
    """Qonto's 428 answers are not JSON:API: ``{"code", "message", "trace_id", ...}`` at the top
    (``sca_required`` with an ``sca_session_token``, ``sca_not_enrolled``; qontoctl's record of
    the live API). The session token is a credential of the pending action: it never becomes a
    param, only ``action_type`` and ``trace_id`` do."""
    code, message = payload.get("code"), payload.get("message")
    if not isinstance(code, str) or not code or "trace_id" not in payload:
        return [report]
    params = dict(report.params)
    params["code"] = code
    for key in ("trace_id", "action_type"):
        if isinstance(payload.get(key), str) and payload[key]:
            params[key] = payload[key]
    text = message if isinstance(message, str) and message else code
    return [report.model_copy(update={"message": text, "code": code, "params": params, "payload": None})]


def _api_errors(report: ErrorReport, payload: Any) -> list[ErrorReport]:
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list) or not errors:
        return _flat_error(report, payload) if isinstance(payload, dict) else [report]
    if report.vendor is None and "trace_id" not in payload:
        return [report]  # someone else's JSON:API body (Qonto's Business API always sends trace_id)
    out = []
    trace = payload.get("trace_id")
    for err in errors:
        if not isinstance(err, dict):
            continue
        params = dict(report.params)
        if trace:
            params["trace_id"] = str(trace)
        found = err.get("source")
        source: dict[str, Any] = found if isinstance(found, dict) else {}
        for key in ("pointer", "parameter"):
            if source.get(key):
                params[key] = str(source[key])
        detail = err.get("detail") or err.get("title") or err.get("code") or report.message
        code = err.get("code")
        # the code and detail are what support and the integrator are told (texts name them)
        if code:
            params["code"] = str(code)
        if err.get("detail"):
            params["detail"] = str(err["detail"])
        out.append(report.model_copy(update={
            "message": str(detail), "code": str(code) if code else report.code, "params": params, "payload": None,
        }))
    return out or [report]


def _target(report: ErrorReport, payload: Any) -> str | None:
    for holder in (report.params, payload if isinstance(payload, dict) else {}):
        value = holder.get("target")
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    return None


def normalize_report(report: ErrorReport) -> list[ErrorReport]:
    """Split a Qonto error body into its errors, and a Hub failure into status + target message."""
    payload = _payload(report)
    if payload is None:
        payload = {}  # plain text the host passed because it matches SYNC_FAILED_PATTERN
    out: list[ErrorReport] = []
    for part in _api_errors(report, payload):
        out.append(part)
        m = _SYNC_FAILED.search(part.message or "")
        rest = m.group("rest").strip() if m else ""
        if rest:
            target = _target(report, payload)
            params = {k: v for k, v in part.params.items() if k != "target"}
            out.append(ErrorReport(vendor=target or ANY_TARGET, message=rest, record=part.record, params=params))
    return out
