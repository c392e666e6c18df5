"""The catalog: every problem the installed plugins know, with its causes and steps, searchable."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..pages import Console

__all__ = ["catalog_page"]


def _console(request: Request) -> Console:
    return request.app.state.console  # type: ignore[no-any-return]


def _words(problem: Any, lang: str) -> str:
    """What a search looks in: id, title, category and causes, in both languages."""
    parts = [problem.id, problem.category, problem.category_fr or "", problem.title.en, problem.title.fr]
    parts += [c.en for c in problem.causes] + [c.fr for c in problem.causes]
    return " ".join(parts).lower()


async def catalog_page(request: Request) -> Response:
    console = _console(request)
    session = await console.session(request)
    lang = console.lang(request)
    query = request.query_params.get("q", "").strip()[:200]
    plugin = request.query_params.get("plugin", "")
    words = query.lower().split()
    plugins = sorted({cp.plugin for cp in console.host.catalog.problems.values()})
    problems = [
        cp for cp in console.host.catalog.problems.values()
        if (not plugin or cp.plugin == plugin) and all(w in _words(cp.problem, lang) for w in words)
    ]
    problems.sort(key=lambda cp: (cp.plugin != "core", cp.plugin, cp.problem.category_label(lang), cp.id))
    return console.render(request, "catalog.html", {
        "problems": problems, "query": query, "plugin": plugin if plugin in plugins else "", "plugins": plugins,
    }, session=session)
