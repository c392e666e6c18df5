""""Paste an error": classify any text or JSON report and show the plan, recording nothing."""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from syncdoctor.ledger.events import MAX_DEPTH, nested_too_deep

from ..i18n import translate
from ..pages import Console

__all__ = ["paste_form", "paste_classify"]

PASTE_MAX = 200_000  # characters: a big Fault fits, a log file does not
_REPORT_KEYS = {"vendor", "message", "http_status", "code", "payload"}
# the ledger's limit (ledger/events.py): deeper JSON is refused there, and past ~255 levels
# the models cannot write it; a paste that deep is no vendor's answer
_TOO_DEEP = {"en": f"the JSON is nested too deep (at most {MAX_DEPTH} levels of arrays and objects)",
             "fr": f"le JSON est imbriqué trop profondément (au plus {MAX_DEPTH} niveaux de tableaux et d'objets)"}


def _console(request: Request) -> Console:
    return request.app.state.console  # type: ignore[no-any-return]


def report_from(text: str, vendor: str, status: str, code: str) -> dict[str, Any]:
    """The report a paste stands for. A JSON object with report fields is a report; any other
    JSON (a vendor's Fault body, a list of errors) is its payload; anything else is the message.
    The form's fields fill what the paste does not say. ValueError for a status that is not one,
    ValueError("nested") for JSON nested past the ledger's limit."""
    try:
        parsed: Any = json.loads(text)
    except RecursionError:
        raise ValueError("nested") from None
    except ValueError:
        parsed = None
    if nested_too_deep(parsed):
        raise ValueError("nested")
    if isinstance(parsed, dict) and _REPORT_KEYS & parsed.keys():
        report = {k: parsed[k] for k in _REPORT_KEYS if k in parsed}
    elif isinstance(parsed, (dict, list)):
        report = {"payload": parsed}
    else:
        report = {"message": text}
    if vendor and not report.get("vendor"):
        report["vendor"] = vendor
    if code and not report.get("code"):
        report["code"] = code
    if status and not report.get("http_status"):
        if not status.isdigit() or not 100 <= int(status) <= 599:
            raise ValueError("status")
        report["http_status"] = int(status)
    return report


def _page(console: Console, request: Request, session: Any, values: dict[str, str], *,
          diagnoses: list[dict[str, Any]] | None = None, error: str | None = None, status: int = 200,
          note: str | None = None) -> Response:
    return console.render(request, "paste.html", {
        "values": values, "vendors": sorted(console.host.plugins), "diagnoses": diagnoses, "error": error,
        "note": note,
    }, session=session, status=status)


async def paste_form(request: Request) -> Response:
    console = _console(request)
    session = await console.session(request)
    return _page(console, request, session, {"text": "", "vendor": "", "status": "", "code": ""})


async def paste_classify(request: Request) -> Response:
    console = _console(request)
    session, form = await console.check_post(request)
    lang = console.lang(request)
    values = {name: str(form.get(name, "")) for name in ("text", "vendor", "status", "code")}
    values["vendor"] = values["vendor"] if values["vendor"] in console.host.plugins else ""
    values["status"], values["code"] = values["status"].strip()[:3], values["code"].strip()[:100]
    text = values["text"].strip()
    if not text:
        return _page(console, request, session, values, error=translate("paste_empty", lang), status=422)
    if len(text) > PASTE_MAX:
        values["text"] = ""
        return _page(console, request, session, values, status=413,
                     error=translate("paste_too_big", lang, n=f"{PASTE_MAX:,}" if lang == "en" else PASTE_MAX))
    try:
        report = report_from(text, values["vendor"], values["status"], values["code"])
    except ValueError as exc:
        if str(exc) == "nested":
            reason = _TOO_DEEP.get(lang, _TOO_DEEP["en"])
            return _page(console, request, session, values, status=422,
                         error=translate("bad_request", lang, reason=reason))
        return _page(console, request, session, values, error=translate("paste_bad_status", lang), status=422)
    found = await run_in_threadpool(console.host.classify, report, lang=lang)
    diagnoses = [d.model_dump(mode="json") for d in found]
    if diagnoses and diagnoses[0]["problem"] == "core.invalid_input":
        reason = (diagnoses[0].get("causes") or ["?"])[0]
        return _page(console, request, session, values, status=422,
                     error=translate("bad_request", lang, reason=reason))
    # JSON cut short (copied from a log, a truncated body) is read as a message: said, not silent
    read_as_text = text.startswith(("{", "[")) and "message" in report and "payload" not in report
    return _page(console, request, session, values, diagnoses=diagnoses,
                 note=translate("paste_not_json", lang) if read_as_text else None)
