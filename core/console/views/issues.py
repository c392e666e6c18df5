"""The tenant's issues: the list, one issue, and its actions (confirm page, then POST)."""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from syncdoctor.ledger import ActionNotAllowed, IssueNotFound
from syncdoctor.ledger.lifecycle import LIFECYCLE_ACTIONS, STEP_ACTIONS, transition
from syncdoctor.model.labels import label

from ..i18n import text_params, translate
from ..listing import STATUSES, Filters, list_issues
from ..pages import Console, NotFound

__all__ = ["act", "confirm", "issue_page", "issues_page"]

_ISSUE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
ACTIONS = (*LIFECYCLE_ACTIONS, *STEP_ACTIONS)
_NOTE_MAX = 10_000


def _console(request: Request) -> Console:
    return request.app.state.console  # type: ignore[no-any-return]


def _bad(console: Console, request: Request, reason: str, session: Any) -> Response:
    text = translate("bad_request", console.lang(request), reason=reason)
    return console.error_page(request, 400, "bad_request_title", text, session)


async def issues_page(request: Request) -> Response:
    console = _console(request)
    session = await console.session(request)
    filters = Filters.from_query(request.query_params)
    after = request.query_params.get("after") or None
    raw_skip = request.query_params.get("skip", "")
    skip = min(int(raw_skip), 10_000) if raw_skip.isdigit() else 0
    try:
        # a plugin's issues are recorded under whichever of its names the host sent (pennylane)
        aliases = [v for v, plugin in console.host.catalog.plugin_of_vendor.items() if plugin == filters.vendor]
        listing = await run_in_threadpool(list_issues, console.ledger, session.tenant, filters, after, skip, aliases)
    except ValueError as exc:
        return _bad(console, request, str(exc), session)
    vendors = sorted({*console.host.plugins, *([filters.vendor] if filters.vendor else [])})
    return console.render(request, "issues.html", {
        "filters": filters, "listing": listing, "statuses": STATUSES, "vendors": vendors,
        "first_page": after is None and not skip,
    }, session=session)


def _issue_id(request: Request) -> str:
    issue_id = request.path_params["issue_id"]
    if not _ISSUE_ID.fullmatch(issue_id):
        raise NotFound()
    return str(issue_id)


def _texts(console: Console, issue: dict[str, Any], lang: str) -> dict[str, Any]:
    """Title, causes and plan in the reader's language, from the catalog with the issue's facts;
    the texts recorded with the issue when its problem is no longer installed."""
    diagnosis = issue.get("diagnosis") or {}
    compiled = console.host.catalog.problems.get(issue["problem"])
    if compiled is None:
        return {"title": issue.get("title") or issue["problem"], "causes": diagnosis.get("causes", []),
                "plan": issue.get("plan") or {"steps": [], "alternatives": []}}
    params = text_params(issue.get("params"))
    problem = compiled.problem
    try:
        plans = console.host.remediate(issue["problem"], params, lang=lang)
        plan = plans[0].model_dump(mode="json") if plans else issue.get("plan")
    except Exception:  # a plugin's remediate hook failing must not take the page down
        plan = issue.get("plan")
    return {"title": problem.title.render(lang, params), "causes": [c.render(lang, params) for c in problem.causes],
            "plan": plan or {"steps": [], "alternatives": []}, "category": problem.category_label(lang)}


def _allowed(issue: dict[str, Any]) -> list[str]:
    allowed = []
    for action in LIFECYCLE_ACTIONS:
        try:
            transition(issue["id"], action, issue["status"])
            allowed.append(action)
        except ActionNotAllowed:
            pass
    return allowed


async def _load(console: Console, tenant: str, issue_id: str) -> dict[str, Any]:
    try:
        return await run_in_threadpool(console.ledger.issue, tenant, issue_id)  # type: ignore[no-any-return]
    except IssueNotFound:
        raise NotFound() from None


async def issue_page(request: Request) -> Response:
    console = _console(request)
    session = await console.session(request)
    issue = await _load(console, session.tenant, _issue_id(request))
    done = request.query_params.get("done")
    return _issue_response(console, request, session, issue, done=done if done in ACTIONS else None)


def _issue_response(console: Console, request: Request, session: Any, issue: dict[str, Any], *,
                    done: str | None = None, error: str | None = None, status: int = 200) -> Response:
    lang = console.lang(request)
    return console.render(request, "issue.html", {
        "issue": issue, "texts": _texts(console, issue, lang), "allowed": _allowed(issue),
        "step_actions": STEP_ACTIONS, "steps_done": set(issue.get("steps_done") or ()),
        "done": action_name(done, lang) if done else None, "error": error,
    }, session=session, status=status)


def action_name(action: str, lang: str) -> str:
    """A lifecycle action's button text, or a plan step's vocabulary word."""
    if action in LIFECYCLE_ACTIONS:
        return translate(f"act_{action}", lang)
    return label(action, lang).replace("_", " ")


async def confirm(request: Request) -> Response:
    console = _console(request)
    session = await console.session(request)
    issue = await _load(console, session.tenant, _issue_id(request))
    action = request.query_params.get("action", "")
    if action not in ACTIONS:
        return _bad(console, request, f"unknown action {action!r}", session)
    return console.render(request, "confirm.html", {
        "issue": issue, "action": action, "action_label": action_name(action, console.lang(request)),
        "is_step": action in STEP_ACTIONS, "error": None,
    }, session=session)


async def act(request: Request) -> Response:
    console = _console(request)
    session, form = await console.check_post(request, write=True)
    issue_id = _issue_id(request)
    action = str(form.get("action", ""))
    note = str(form.get("note", "")).strip()[:_NOTE_MAX] or None
    lang = console.lang(request)
    if action not in ACTIONS:
        return _bad(console, request, f"unknown action {action!r}", session)
    if action == "note" and not note:
        issue = await _load(console, session.tenant, issue_id)
        return console.render(request, "confirm.html", {
            "issue": issue, "action": action, "action_label": action_name(action, lang), "is_step": False,
            "error": translate("note_required", lang)}, session=session, status=422)
    try:
        await run_in_threadpool(console.ledger.act, session.tenant, issue_id, action,
                                actor=f"console:key:{session.key_id}", note=note)
    except IssueNotFound:
        raise NotFound() from None
    except ActionNotAllowed as exc:
        # answered here (409), not through a redirect: the reason is never taken from a URL
        issue = await _load(console, session.tenant, issue_id)
        return _issue_response(console, request, session, issue, error=exc.reason, status=409)
    except ValueError as exc:  # a note the ledger cannot store (a NUL character)
        return _bad(console, request, str(exc), session)
    return console.redirect(f"/issues/{issue_id}", done=action)
