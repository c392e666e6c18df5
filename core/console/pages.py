"""What every console page shares: the templates, who is signed in, the CSRF check, the answers
for "sign in first", "refused" and "not found", and the security headers.

The console reads the service's objects (settings, Host, Ledger, KeyStore) from the parent
app's ``state`` when a request comes, never at import: it is mounted before the lifespan runs.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from syncdoctor.model.labels import label

from .i18n import LANG_COOKIE, actor_name, negotiate, param_name, show_value, text_params, translate, when
from .session import LOGIN_COOKIE, SESSION_COOKIE, Session, SessionSigner, console_secret
from .throttle import SignInAttempts

__all__ = ["Console", "NotFound", "Refused", "SignInFirst", "Unavailable"]

STATIC = Path(__file__).parent / "static"
CSP = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SignInFirst(Exception):
    """No valid session: a page redirects to sign-in, a POST is refused."""


class Refused(Exception):
    """A 403 page: a bad CSRF token, or a read key trying to act."""

    def __init__(self, reason_key: str) -> None:
        self.reason_key = reason_key


class Unavailable(Exception):
    """A 503 page: the ledger is not there (the lifespan has not run, or the database is behind)."""


class NotFound(Exception):
    """A 404 page: no such page, or an issue that is not the tenant's (the same answer)."""


def pretty(data: Any) -> str:
    """JSON for reading (a stored report); the template escapes it."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def template_html(text: str) -> Markup:
    """A rule pack's text template for the catalog: ``{param}`` shown as an italic placeholder,
    optional ``[[ ]]`` segments shown whole. Escaped first: pack texts are data."""
    safe = str(escape(text.replace("[[", "").replace("]]", "")))
    return Markup(_FIELD.sub(lambda m: f"<var>{m.group(1)}</var>", safe))


class Console:
    """The console's shared parts, built when it is mounted on the service app."""

    def __init__(self, parent: Any, base: str = "/console") -> None:
        self.parent = parent
        self.base = base
        self.signer = SessionSigner(console_secret(parent.state.settings))
        env = Environment(loader=PackageLoader("syncdoctor.console", "templates"),
                          autoescape=select_autoescape(default=True, default_for_string=True))
        env.filters.update(when=when, value=show_value, label=label, template=template_html, pretty=pretty,
                           param=param_name, actor=actor_name)
        self.templates = Jinja2Templates(env=env)
        self._active: dict[str, tuple[float, bool]] = {}
        self._ended: set[str] = set()  # nonces of sessions signed out (they never come back)
        self.sign_ins = SignInAttempts()

    # ------------------------------------------------------------------ the service's objects

    @property
    def settings(self) -> Any:
        return self.parent.state.settings

    @property
    def host(self) -> Any:
        return self.parent.state.host

    @property
    def ledger(self) -> Any:
        ledger = getattr(self.parent.state, "ledger", None)
        if ledger is None:
            raise Unavailable("the ledger is not available in this process")
        return ledger

    @property
    def keys(self) -> Any:
        return self.parent.state.keys

    # ------------------------------------------------------------------ who is asking

    def lang(self, request: Request) -> str:
        return negotiate(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"),
                         getattr(self.settings, "lang", "en"))

    def secure(self, request: Request) -> bool:
        return request.url.scheme == "https"

    async def session(self, request: Request) -> Session:
        """The signed-in session, its key still active; else :class:`SignInFirst`."""
        session = self.signer.read(request.cookies.get(SESSION_COOKIE))
        if session is None or not await self._key_active(session) or await self._signed_out(session):
            raise SignInFirst()
        # the access log names the tenant and the key's public id, as for the API's requests
        state = request.scope.setdefault("state", {})
        state["tenant"], state["key_id"] = session.tenant, session.key_id
        return session

    async def _signed_out(self, session: Session) -> bool:
        # a copy of a signed-out cookie (another tab, a stolen one) is refused, in every
        # process: the sign-out is in the database until the cookie would have expired
        if session.nonce in self._ended:
            return True
        if not await run_in_threadpool(self.keys.session_ended, session.nonce):
            return False
        self._remember_ended(session.nonce)
        return True

    def _remember_ended(self, nonce: str) -> None:
        if len(self._ended) >= 10_000:  # bounded; the database still knows them
            self._ended.clear()
        self._ended.add(nonce)

    async def end(self, session: Session) -> None:
        """Sign a session out for good: its cookie stops working here and in every process."""
        expires = datetime.fromtimestamp(session.issued + self.signer.max_age, UTC)
        await run_in_threadpool(self.keys.end_session, session.nonce, session.key_id, expires)
        self._remember_ended(session.nonce)

    async def _key_active(self, session: Session) -> bool:
        # a revoked key ends its sessions; checked at most every few seconds per key and process
        now = time.monotonic()
        hit = self._active.get(session.key_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        keys = await run_in_threadpool(self.keys.list, session.tenant)
        active = any(k.id == session.key_id and k.active and k.role == session.role for k in keys)
        if len(self._active) > 10_000:
            self._active.clear()
        ttl = float(getattr(self.settings, "auth_cache_seconds", 5.0))
        self._active[session.key_id] = (now + ttl, active)
        return active

    async def check_post(self, request: Request, *, write: bool = False) -> tuple[Session, Mapping[str, Any]]:
        """A POST from a signed-in page: the session, the form, its CSRF token checked, and the
        write role when ``write``."""
        try:
            session = await self.session(request)
        except SignInFirst:
            raise Refused("forbidden_session") from None
        form = await request.form()
        if not self.signer.csrf_ok(session.nonce, str(form.get("csrf", ""))):
            raise Refused("forbidden_csrf")
        if write and not session.can_act:
            raise Refused("forbidden_role")
        return session, form

    # ------------------------------------------------------------------ answers

    def url(self, path: str, **query: Any) -> str:
        params = "&".join(f"{quote(k)}={quote(str(v), safe='')}" for k, v in query.items() if v not in (None, ""))
        return f"{self.base}{path}" + (f"?{params}" if params else "")

    def render(self, request: Request, name: str, context: Mapping[str, Any], *,
               session: Session | None = None, status: int = 200, login_nonce: str | None = None) -> Response:
        lang = self.lang(request)

        def t(message: str, /, **params: Any) -> str:
            return translate(message, lang, **params)

        def title(issue: Mapping[str, Any]) -> str:
            # in the reader's language, from the catalog; the recorded title if the problem is gone
            compiled = self.host.catalog.problems.get(issue.get("problem"))
            if compiled is None:
                return str(issue.get("title") or issue.get("problem"))
            return str(compiled.problem.title.render(lang, text_params(issue.get("params"))))

        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        nonce = session.nonce if session is not None else login_nonce
        page = {
            "request": request, "lang": lang, "t": t, "session": session, "base": self.base, "url": self.url,
            "csrf": self.signer.csrf(nonce) if nonce else "", "here": here, "title": title,
            "other_lang": "en" if lang == "fr" else "fr", **context,
        }
        response = self.templates.TemplateResponse(request, name, page, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        return response

    def redirect(self, path: str, **query: Any) -> RedirectResponse:
        return RedirectResponse(self.url(path, **query), status_code=303)

    def sign_in_redirect(self, request: Request) -> Response:
        next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return self.redirect("/sign-in", next=next_path if next_path.startswith(self.base + "/") else None)

    def safe_next(self, value: Any) -> str:
        """Where to go after signing in: a console path only (no open redirect)."""
        text = str(value or "")
        if text.startswith(self.base + "/") and not text.startswith("//") and "\\" not in text and \
                "://" not in text and "/sign-in" not in text:
            return text
        return self.base + "/issues"

    def error_page(self, request: Request, status: int, title_key: str, text: str,
                   session: Session | None = None) -> Response:
        return self.render(request, "error.html", {"title_key": title_key, "text": text},
                           session=session, status=status)


def login_nonce(request: Request) -> str | None:
    return request.cookies.get(LOGIN_COOKIE)


class SecurityHeaders:
    """Adds the console's security headers to every answer it gives (pages and static files)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def plain_error(status: int, text: str) -> HTMLResponse:
    """For when even the page template cannot be used."""
    return HTMLResponse(f"<!doctype html><title>{status}</title><p>{escape(text)}</p>", status_code=status)
