"""Console sessions: a signed cookie that names a key, never holds it, and CSRF tokens bound to it.

Design (recorded in docs/console.md, "Security model"):

- Signing in checks the API key once (:meth:`KeyStore.authenticate`). The cookie then holds the
  key's public id, its tenant and role, when it was issued and a random nonce, signed with
  HMAC-SHA256. The key itself is never in the cookie, the page or the logs.
- Every request checks the signature, the age (:data:`MAX_AGE`) and that the key is still
  active: revoking a key ends its console sessions at the next click. Signing out lists the
  session's nonce in the database until the cookie would have expired (``KeyStore.end_session``),
  so a copy of a signed-out cookie is refused by every process.
- The cookie is HttpOnly, SameSite=Strict, Path=/console, and Secure when the console is served
  over https.
- CSRF: every form carries a token derived from the session's nonce (HMAC with a separate
  key), checked on every POST in constant time. Before sign-in, a pre-session nonce cookie
  plays the same part for the sign-in form.
- The signing secret is ``console_secret`` from the settings or ``SYNCDOCTOR_CONSOLE_SECRET``.
  Without one, ``serve --workers N`` draws one for all its workers; a lone process draws its own.
  Either way a restart signs everyone out, and replicas on several machines need the setting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_AGE", "SESSION_COOKIE", "Session", "SessionSigner", "console_secret"]

SESSION_COOKIE = "sd_session"
LOGIN_COOKIE = "sd_login"
MAX_AGE = 12 * 3600  # a working day; then sign in again
SECRET_ENV = "SYNCDOCTOR_CONSOLE_SECRET"

log = logging.getLogger("syncdoctor.console")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def console_secret(settings: Any) -> bytes:
    """The secret that signs sessions: the setting, the environment, else a new one per process."""
    configured = getattr(settings, "console_secret", None)
    if configured is not None and hasattr(configured, "get_secret_value"):
        configured = configured.get_secret_value()
    configured = configured or os.environ.get(SECRET_ENV)
    if configured:
        if len(configured) < 32:
            raise ValueError(f"{SECRET_ENV} must be at least 32 characters (e.g. `python -c "
                             "\"import secrets; print(secrets.token_urlsafe(32))\"`)")
        return hashlib.sha256(configured.encode()).digest()
    if getattr(settings, "workers", 1) > 1:
        # `serve` hands its workers one secret; an ASGI server started otherwise does not
        log.warning("console: no %s set; each worker signs its own sessions, so users are signed out when "
                    "another worker answers. Set it to share sessions across workers and replicas.", SECRET_ENV)
    return secrets.token_bytes(32)


@dataclass(frozen=True)
class Session:
    """Who is signed in: a key's public id, tenant and role (never the key)."""

    key_id: str
    tenant: str
    role: str
    issued: int
    nonce: str

    @property
    def can_act(self) -> bool:
        return self.role in ("write", "admin")


class SessionSigner:
    """Makes and checks session cookies and CSRF tokens with keys derived from one secret."""

    def __init__(self, secret: bytes, max_age: int = MAX_AGE) -> None:
        self._sign_key = hmac.new(secret, b"syncdoctor console session", hashlib.sha256).digest()
        self._csrf_key = hmac.new(secret, b"syncdoctor console csrf", hashlib.sha256).digest()
        self.max_age = max_age

    def __repr__(self) -> str:  # the keys stay out of reprs and tracebacks
        return "SessionSigner(<secret>)"

    def _mac(self, payload: bytes) -> str:
        return _b64(hmac.new(self._sign_key, payload, hashlib.sha256).digest())

    def new(self, key_id: str, tenant: str, role: str) -> tuple[Session, str]:
        """A session for a key that just authenticated, and its cookie value."""
        session = Session(key_id, tenant, role, int(time.time()), secrets.token_urlsafe(16))
        payload = json.dumps({"k": key_id, "t": tenant, "r": role, "i": session.issued, "n": session.nonce},
                             separators=(",", ":")).encode()
        return session, f"{_b64(payload)}.{self._mac(payload)}"

    def read(self, cookie: str | None) -> Session | None:
        """The session a cookie holds, or None when it is missing, forged, tampered or too old."""
        if not cookie or cookie.count(".") != 1 or len(cookie) > 2048:
            return None
        body, mac = cookie.split(".")
        try:
            payload = _unb64(body)
        except ValueError:
            return None
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            data = json.loads(payload)
            session = Session(str(data["k"]), str(data["t"]), str(data["r"]), int(data["i"]), str(data["n"]))
        except (ValueError, KeyError, TypeError):
            return None
        if not 0 <= time.time() - session.issued <= self.max_age:
            return None
        return session

    def csrf(self, nonce: str) -> str:
        """The CSRF token of a session (or of a pre-session nonce): forms carry it, POSTs check it."""
        return _b64(hmac.new(self._csrf_key, nonce.encode(), hashlib.sha256).digest())

    def csrf_ok(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token:
            return False
        return hmac.compare_digest(self.csrf(nonce), token)


def cookie_flags(secure: bool, max_age: int | None, path: str) -> dict[str, Any]:
    """The attributes every console cookie gets."""
    return {"httponly": True, "samesite": "strict", "secure": secure, "max_age": max_age, "path": path}
