"""The console as an ASGI app mounted on the service at ``/console`` (design section 12)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from syncdoctor.ledger import DatabaseNotCurrent

from .i18n import translate
from .pages import STATIC, Console, NotFound, Refused, SecurityHeaders, SignInFirst, Unavailable
from .session import SESSION_COOKIE
from .views import auth, catalog, issues, paste

__all__ = ["console_app"]
log = logging.getLogger("syncdoctor.console")


def _console(request: Request) -> Console:
    return request.app.state.console  # type: ignore[no-any-return]


def _shown_session(request: Request) -> Any:
    # an error page keeps the header (menu, sign-out) for whoever holds a well-signed cookie
    return _console(request).signer.read(request.cookies.get(SESSION_COOKIE))


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    console = _console(request)
    if request.method in ("GET", "HEAD"):
        return console.sign_in_redirect(request)
    lang = console.lang(request)
    return console.error_page(request, 403, "forbidden", translate("forbidden_session", lang))


async def _refused(request: Request, exc: Exception) -> Response:
    console = _console(request)
    assert isinstance(exc, Refused)
    text = translate(exc.reason_key, console.lang(request))
    return console.error_page(request, 403, "forbidden", text, _shown_session(request))


async def _not_found(request: Request, exc: Exception) -> Response:
    console = _console(request)
    if isinstance(exc, HTTPException) and exc.status_code != 404:
        return Response(status_code=exc.status_code, headers=exc.headers)
    text = translate("not_found_text", console.lang(request))
    return console.error_page(request, 404, "not_found", text, _shown_session(request))


async def _unavailable(request: Request, exc: Exception) -> Response:
    console = _console(request)
    log.warning("console: %s", exc, exc_info=not isinstance(exc, Unavailable | DatabaseNotCurrent))
    return console.error_page(request, 503, "unavailable_title", translate("unavailable", console.lang(request)))


async def _home(request: Request) -> Response:
    return RedirectResponse(_console(request).base + "/issues", status_code=303)


def console_app(parent: Any, base: str) -> Starlette:
    """The console's pages for the service app ``parent`` (whose ``state`` has the settings now,
    and the Host, Ledger and KeyStore once its lifespan has run)."""
    routes = [
        Route("/", _home, methods=["GET"]),
        Route("/sign-in", auth.sign_in_form, methods=["GET"]),
        Route("/sign-in", auth.sign_in, methods=["POST"]),
        Route("/sign-out", auth.sign_out, methods=["POST"]),
        Route("/lang", auth.change_language, methods=["GET"]),
        Route("/issues", issues.issues_page, methods=["GET"]),
        Route("/issues/{issue_id}", issues.issue_page, methods=["GET"]),
        Route("/issues/{issue_id}/confirm", issues.confirm, methods=["GET"]),
        Route("/issues/{issue_id}/actions", issues.act, methods=["POST"]),
        Route("/paste", paste.paste_form, methods=["GET"]),
        Route("/paste", paste.paste_classify, methods=["POST"]),
        Route("/catalog", catalog.catalog_page, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], exception_handlers={
        SignInFirst: _sign_in_first, Refused: _refused, NotFound: _not_found, 404: _not_found,
        Unavailable: _unavailable, DatabaseNotCurrent: _unavailable,
        # the database unreachable or its pool exhausted; other database errors are bugs (500)
        OperationalError: _unavailable, InterfaceError: _unavailable, PoolTimeout: _unavailable,
    })
    app.state.console = Console(parent, base)
    return app

