"""GET /v1/problems, /v1/problems/{id}, /v1/plugins: the catalog and the plugins behind it.

The catalog is the same for every tenant (it comes from the installed plugins), so these
answers are not scoped; they still need a key, like every /v1 route.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from syncdoctor import dumps

from ..deps import HostDep, principal
from ..problems import HTTPProblem, error_responses
from ..schemas import PluginsAnswer, ProblemsAnswer

router = APIRouter(tags=["catalog"], dependencies=[Depends(principal("read"))])


def _summary(cp: Any, lang: str) -> dict[str, Any]:
    return {
        "id": cp.id, "plugin": cp.plugin, "title": cp.problem.title.get(lang), "category": cp.problem.category,
        "severity": cp.problem.severity, "before_sending": cp.root is not None,
        "from_rejections": bool(cp.signatures),
    }


@router.get("/v1/problems", summary="The problem catalog", response_model=ProblemsAnswer,
            responses=error_responses(401, 403, 422))
async def problems(
    host: HostDep,
    request: Request,
    plugin: str | None = Query(None, max_length=100, description="only this plugin's problems"),
    lang: Literal["en", "fr"] | None = Query(None),
) -> Response:
    lang = lang or request.app.state.settings.lang
    if plugin is not None and plugin not in host.plugins and plugin != "core":
        raise HTTPProblem(422, f"no plugin named {plugin!r} is loaded; see /v1/plugins", field="query.plugin")
    items = [_summary(cp, lang) for cp in host.catalog.problems.values() if plugin is None or cp.plugin == plugin]
    return Response(dumps({"items": items}), media_type="application/json")


@router.get("/v1/problems/{problem_id}", summary="One problem: causes, detection, remediation, examples",
            responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}},
                       **error_responses(401, 403, 404, 422)})
async def problem(
    host: HostDep,
    problem_id: str = Path(max_length=200, description="a problem id, e.g. acd.auxiliary_code_invalid"),
) -> Response:
    cp = host.catalog.problems.get(problem_id)
    if cp is None:
        raise HTTPProblem(404, f"no problem {problem_id!r} in the catalog; see /v1/problems")
    data = cp.problem.model_dump(mode="json", exclude_none=True)
    data.update(plugin=cp.plugin, before_sending=cp.root is not None, from_rejections=bool(cp.signatures))
    return Response(dumps(data), media_type="application/json")


@router.get("/v1/plugins", summary="Loaded plugins, and broken ones with the reason",
            response_model=PluginsAnswer, responses=error_responses(401, 403))
async def plugins(host: HostDep) -> Response:
    items: list[dict[str, Any]] = [
        {"name": p.name, "version": p.version, "status": "loaded", "hooks": list(p.hooks), "problems": p.problems}
        for p in host.plugins.values()
    ] + [{"name": b.name, "version": b.version, "status": "broken", "reason": b.reason} for b in host.broken]
    return Response(dumps({"items": items}), media_type="application/json")
