"""Sign-in with an API key, sign-out, and the language switch."""

from __future__ import annotations

import logging
import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..i18n import LANG_COOKIE, LANGS
from ..pages import Console, Refused, login_nonce
from ..session import LOGIN_COOKIE, MAX_AGE, SESSION_COOKIE, cookie_flags

__all__ = ["change_language", "sign_in_form", "sign_in", "sign_out"]

log = logging.getLogger("syncdoctor.console")

_KEY_MAX = 512


def _console(request: Request) -> Console:
    return request.app.state.console  # type: ignore[no-any-return]


def _form_page(console: Console, request: Request, *, error: str | None = None, notice: str | None = None,
               status: int = 200) -> Response:
    """The sign-in form, with a fresh pre-session nonce cookie that its CSRF token is bound to."""
    nonce = login_nonce(request) or secrets.token_urlsafe(16)
    response = console.render(request, "sign_in.html",
                              {"error": error, "notice": notice, "next": console.safe_next(request.query_params.get("next"))},
                              login_nonce=nonce, status=status)
    response.set_cookie(LOGIN_COOKIE, nonce, **cookie_flags(console.secure(request), 3600, console.base))
    return response


async def sign_in_form(request: Request) -> Response:
    console = _console(request)
    signed = console.signer.read(request.cookies.get(SESSION_COOKIE))
    if signed is not None and request.query_params.get("next") is None:
        return console.redirect("/issues")
    notice = {"out": "signed_out", "ended": "session_ended"}.get(request.query_params.get("notice", ""))
    return _form_page(console, request, notice=notice)


async def sign_in(request: Request) -> Response:
    console = _console(request)
    form = await request.form()
    if not console.signer.csrf_ok(login_nonce(request), str(form.get("csrf", ""))):
        raise Refused("forbidden_csrf")
    address = request.client.host if request.client else "unknown"
    wait = console.sign_ins.start(address)  # counted now: concurrent attempts cannot all pass
    if wait:  # checked before the key: while waiting, no answer says whether a key is good
        response = _form_page(console, request, error="too_many_sign_ins", status=429)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    secret = str(form.get("key", "")).strip()
    key = await run_in_threadpool(console.keys.authenticate, secret) if 0 < len(secret) <= _KEY_MAX else None
    if key is None:
        log.warning("console: failed sign-in from %s", address)  # never the key
        return _form_page(console, request, error="bad_key", status=401)
    console.sign_ins.succeeded(address)
    _, cookie = console.signer.new(key.id, key.tenant, key.role)
    response = RedirectResponse(console.safe_next(form.get("next")), status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, **cookie_flags(console.secure(request), MAX_AGE, console.base))
    response.delete_cookie(LOGIN_COOKIE, path=console.base, httponly=True, samesite="strict",
                           secure=console.secure(request))
    return response


async def sign_out(request: Request) -> Response:
    console = _console(request)
    # a well-signed cookie and its form's token are enough: signing out must work with the
    # key revoked or the database down (the key check and the sign-out list are the database's)
    session = console.signer.read(request.cookies.get(SESSION_COOKIE))
    form = await request.form()
    if session is None:
        raise Refused("forbidden_session")
    if not console.signer.csrf_ok(session.nonce, str(form.get("csrf", ""))):
        raise Refused("forbidden_csrf")
    try:
        await console.end(session)
    except Exception:  # noqa: BLE001 - the database is down: the browser still forgets the session
        log.warning("console: the sign-out of a session of key %s could not be stored; its cookie stays valid "
                    "until it expires", session.key_id, exc_info=True)
    response = console.redirect("/sign-in", notice="out")
    response.delete_cookie(SESSION_COOKIE, path=console.base, httponly=True, samesite="strict",
                           secure=console.secure(request))
    return response


async def change_language(request: Request) -> Response:
    """A link, not a form: it only sets a cookie, which a cross-site request cannot do harm with."""
    console = _console(request)
    lang = request.query_params.get("to", "")
    target = console.safe_next(request.query_params.get("next"))
    if request.query_params.get("next", "").startswith(console.base + "/sign-in"):
        target = console.base + "/sign-in"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, **cookie_flags(console.secure(request), 365 * 86400, console.base))
    return response
