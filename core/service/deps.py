"""Dependencies of the routes: who is calling (:func:`principal`), and the Host, Database and
Ledger the lifespan put on ``app.state``.

Roles are ordered read < write < admin. A missing or unknown key is a 401 with
``WWW-Authenticate``; a key whose role is too low is a 403; objects of another tenant are the
routes' business, answered 404 (the ledger scopes every query by the principal's tenant).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from syncdoctor import Host

from .problems import HTTPProblem
from .settings import Settings, is_loopback

__all__ = ["ROLES", "Admin", "HostDep", "Principal", "get_database", "get_host", "get_ledger", "get_settings", "principal"]

ROLES = ("read", "write", "admin")
# declares the scheme in the OpenAPI document; the header itself is read by authenticate()
_BEARER = HTTPBearer(auto_error=False, description="an API key: `syncdoctor keys create --tenant T --role R`")
LOCAL_TENANT = "local"


@dataclass(frozen=True)
class Principal:
    """The caller: a tenant, a role, and the public id of its key (None without auth)."""

    tenant: str
    role: str
    key_id: str | None


def get_host(request: Request) -> Host:
    return request.app.state.host  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_database(request: Request) -> Any:
    return request.app.state.database


def get_ledger(request: Request) -> Any:
    ledger = getattr(request.app.state, "ledger", None)
    if ledger is None:
        raise HTTPProblem(503, "the ledger is not available in this process")
    return ledger


def _unauthorized(detail: str) -> HTTPProblem:
    return HTTPProblem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="syncdoctor"'})


class KeyCache:
    """Keys checked recently, by the SHA-256 of the presented secret (never the secret itself),
    so a busy client does not cost a database read per request. A revoked key keeps working
    for at most ``ttl`` seconds in each process (``auth_cache_seconds``)."""

    def __init__(self, ttl: float, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[str, tuple[float, Principal | None]] = {}

    def get(self, digest: str) -> tuple[bool, Principal | None]:
        hit = self._entries.get(digest)
        if hit is None or hit[0] < time.monotonic():
            return False, None
        return True, hit[1]

    def clear(self) -> None:
        """Forget every key (after a revocation through this process)."""
        self._entries.clear()

    def put(self, digest: str, who: Principal | None) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.size:
            self._entries.clear()  # rare; a full reset is simpler than an LRU and as safe
        self._entries[digest] = (time.monotonic() + self.ttl, who)


async def authenticate(request: Request) -> Principal:
    state = request.app.state
    if state.settings.insecure_no_auth:
        # also when embedded in someone else's server: only what arrived on a loopback address
        server = request.scope.get("server") or ("", 0)
        if not is_loopback(str(server[0])):
            raise _unauthorized("insecure_no_auth answers on a loopback address only; use an API key")
        return Principal(LOCAL_TENANT, "admin", None)
    header = request.headers.get("authorization")
    if not header:
        raise _unauthorized("this endpoint needs an API key: send 'Authorization: Bearer <key>' "
                            "(create one with `syncdoctor keys create --tenant T --role read`)")
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise _unauthorized("the Authorization header must read 'Bearer <key>'")
    digest = hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()
    cache: KeyCache = state.key_cache
    known, who = cache.get(digest)
    if not known:
        key = await run_in_threadpool(state.keys.authenticate, secret)
        who = Principal(key.tenant, key.role, key.id) if key is not None else None
        cache.put(digest, who)
    if who is None:
        raise _unauthorized("the API key is unknown or revoked")
    return who


def principal(required_role: str = "read") -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    """A dependency: the authenticated caller, whose role must be at least ``required_role``."""
    if required_role not in ROLES:
        raise ValueError(f"unknown role {required_role!r}")
    needed = ROLES.index(required_role)

    async def dependency(
        request: Request, _declared: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)] = None
    ) -> Principal:
        who = await authenticate(request)
        # the access log names the tenant and the key's public id, never the key
        request.scope["state"]["tenant"] = who.tenant
        request.scope["state"]["key_id"] = who.key_id
        if ROLES.index(who.role) < needed:
            raise HTTPProblem(403, f"this needs a key with the role {required_role!r} or above; "
                              f"this key has {who.role!r}")
        return who

    dependency.__name__ = f"principal_{required_role}"
    return dependency


HostDep = Annotated[Host, Depends(get_host)]
"""A route parameter: the Host the lifespan loaded."""
Admin = Annotated[Principal, Depends(principal("admin"))]
"""A route parameter: the caller, whose key must be an admin's."""
