"""Auth and tenant isolation for every route of the app.

ROUTES lists each route with the role it needs and a request that a key of that role may make.
test_every_route_is_listed enumerates the app's routes: a new route without an entry here (and
so without these tests) fails it. A route whose objects belong to a tenant also gets a
``tenant_check``: another tenant's object must be a 404, never a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.routing import Mount

from syncdoctor.service import Settings, create_app

from .conftest import Server


@dataclass(frozen=True)
class Case:
    role: str | None  # None: public (probes, the OpenAPI document)
    request: dict[str, Any]
    tenant_check: Callable[[Server], None] | None = None


def _other_tenants_key_is_404(server: Server) -> None:
    with server.client("globex", "admin") as globex:
        victim = globex.post("/v1/keys", json={"role": "read", "name": "victim"}).json()
    with server.client("acme", "admin") as acme:
        listed = {k["id"] for k in acme.get("/v1/keys").json()}
        tenants = {k["tenant"] for k in acme.get("/v1/keys").json()}
        revoke = acme.delete(f"/v1/keys/{victim['id']}")
        missing = acme.delete("/v1/keys/doesnotexist")
    assert victim["id"] not in listed and tenants == {"acme"}
    assert revoke.status_code == 404 and missing.status_code == 404
    assert revoke.json()["detail"].replace(victim["id"], "X") == missing.json()["detail"].replace(
        "doesnotexist", "X"), "another tenant's key must look exactly like a missing one"
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {victim['key']}"}) as c:
        assert c.get("/v1/problems").status_code == 200, "the victim key must still work"


def _catalog_is_the_same_for_every_tenant(path: str) -> Callable[[Server], None]:
    def check(server: Server) -> None:
        with server.client("acme") as a, server.client("globex") as g:
            assert a.get(path).json() == g.get(path).json()

    return check


EVENT = {"client": "firm-1", "vendor": "quickbooks", "entity_id": "i1", "outcome": "rejected",
         "report": {"message": "Duplicate Document Number Error : DocNumber=1781 is assigned to TxnType=Invoice "
                               "with TxnId=3188"}}


def _other_tenants_issue_is_404(server: Server) -> None:
    with server.client("globex", "write") as globex:
        theirs = globex.post("/v1/events", json=EVENT).json()["issues"][0]["id"]
    with server.client("acme", "write") as acme:
        shown = acme.get(f"/v1/issues/{theirs}")
        missing = acme.get("/v1/issues/iss_doesnotexist")
        acted = acme.post(f"/v1/issues/{theirs}/actions", json={"action": "resolve"})
        listed = {i["id"] for i in acme.get("/v1/issues", params={"limit": 1000}).json()["items"]}
    assert shown.status_code == missing.status_code == acted.status_code == 404
    assert shown.json()["detail"].replace(theirs, "X") == missing.json()["detail"].replace("iss_doesnotexist", "X")
    assert theirs not in listed
    with server.client("globex", "read") as globex:
        assert globex.get(f"/v1/issues/{theirs}").json()["status"] == "open", "the owner's issue is untouched"


def _other_tenants_issues_are_not_counted(server: Server) -> None:
    with server.client("acme", "read") as acme:
        before = acme.get("/v1/issues/counts").json()
    with server.client("globex", "write") as globex:
        globex.post("/v1/events", json={**EVENT, "client": "globex-only", "entity_id": "counted-apart"})
        assert globex.get("/v1/issues/counts", params={"client": "globex-only"}).json()["total"] == 1
    with server.client("acme", "read") as acme:
        assert acme.get("/v1/issues/counts").json() == before
        assert acme.get("/v1/issues/counts", params={"client": "globex-only"}).json()["total"] == 0


def _other_tenants_webhook_is_404(server: Server) -> None:
    with server.client("globex", "admin") as globex:
        theirs = globex.post("/v1/webhooks", json={"url": "https://hooks.example.com/globex"}).json()["id"]
    with server.client("acme", "admin") as acme:
        assert theirs not in {w["id"] for w in acme.get("/v1/webhooks").json()}
        assert acme.get(f"/v1/webhooks/{theirs}/deliveries").status_code == 404
        assert acme.delete(f"/v1/webhooks/{theirs}").status_code == 404
    with server.client("globex", "admin") as globex:
        assert theirs in {w["id"] for w in globex.get("/v1/webhooks").json()}


ENTRY = {"kind": "invoice", "id": "i1", "total": "10.00"}
ROUTES: dict[tuple[str, str], Case] = {
    ("GET", "/healthz"): Case(None, {}),
    ("GET", "/readyz"): Case(None, {}),
    ("GET", "/metrics"): Case(None, {}),
    ("GET", "/openapi.json"): Case(None, {}),
    ("GET", "/docs"): Case(None, {}),
    ("GET", "/docs/oauth2-redirect"): Case(None, {}),
    ("GET", "/redoc"): Case(None, {}),
    # stateless answers: nothing of a tenant is read or written
    ("POST", "/v1/classify"): Case("read", {"json": {"message": "The account FOO does not exist"}}),
    ("POST", "/v1/validate"): Case("read", {"json": [ENTRY]}),
    ("POST", "/v1/remediate"): Case("read", {"json": {"problem": "core.unknown_error"}}),
    ("GET", "/v1/problems"): Case("read", {}, _catalog_is_the_same_for_every_tenant("/v1/problems")),
    ("GET", "/v1/problems/{problem_id}"): Case(
        "read", {"path": {"problem_id": "core.invalid_input"}},
        _catalog_is_the_same_for_every_tenant("/v1/problems/core.invalid_input")),
    ("GET", "/v1/plugins"): Case("read", {}, _catalog_is_the_same_for_every_tenant("/v1/plugins")),
    ("GET", "/v1/keys"): Case("admin", {}, _other_tenants_key_is_404),
    ("POST", "/v1/keys"): Case("admin", {"json": {"role": "read", "name": "made by the auth test"}}),
    ("DELETE", "/v1/keys/{key_id}"): Case("admin", {"path": {"key_id": "doesnotexist"}}, _other_tenants_key_is_404),
    # the ledger (issue 16): every object is the tenant's
    ("POST", "/v1/events"): Case("write", {"json": EVENT}),
    ("GET", "/v1/issues"): Case("read", {}, _other_tenants_issue_is_404),
    ("GET", "/v1/issues/counts"): Case("read", {}, _other_tenants_issues_are_not_counted),
    ("GET", "/v1/issues/{issue_id}"): Case("read", {"path": {"issue_id": "iss_doesnotexist"}},
                                          _other_tenants_issue_is_404),
    ("POST", "/v1/issues/{issue_id}/actions"): Case(
        "write", {"path": {"issue_id": "iss_doesnotexist"}, "json": {"action": "note", "note": "auth test"}},
        _other_tenants_issue_is_404),
    ("GET", "/v1/webhooks"): Case("admin", {}, _other_tenants_webhook_is_404),
    ("POST", "/v1/webhooks"): Case("admin", {"json": {"url": "https://hooks.example.com/auth-test"}}),
    ("DELETE", "/v1/webhooks/{subscription_id}"): Case(
        "admin", {"path": {"subscription_id": "whk_doesnotexist"}}, _other_tenants_webhook_is_404),
    ("GET", "/v1/webhooks/{subscription_id}/deliveries"): Case(
        "admin", {"path": {"subscription_id": "whk_doesnotexist"}}, _other_tenants_webhook_is_404),
    # the support console (issue 17): sessions, CSRF, roles and tenant 404s in tests/console/
    ("MOUNT", "/console"): Case(None, {}),
}
ROLES = ("read", "write", "admin")


def _walk(routes: list[Any], prefix: str = "") -> set[tuple[str, str]]:
    out = set()
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI keeps included routers nested
        if included is not None:
            out |= _walk(included.routes, prefix + (getattr(route.include_context, "prefix", "") or ""))
            continue
        path = prefix + getattr(route, "path", "")
        if isinstance(route, Mount):  # a mounted app (the console): one entry for all it serves
            out.add(("MOUNT", path))
            continue
        for method in getattr(route, "methods", None) or {"*"}:
            if method != "HEAD":
                out.add((method, path))
    return out


def app_routes() -> set[tuple[str, str]]:
    return _walk(create_app(Settings(db="sqlite:///:memory:")).routes)


def test_every_route_is_listed() -> None:
    routes = app_routes()
    missing = routes - set(ROUTES)
    assert not missing, f"routes without an auth test (add them to ROUTES): {sorted(missing)}"
    assert not set(ROUTES) - routes, f"ROUTES lists routes the app does not have: {sorted(set(ROUTES) - routes)}"


def _call(client: httpx.Client, method: str, path: str, case: Case) -> httpx.Response:
    kw = dict(case.request)
    path = path.format(**kw.pop("path", {}))
    return client.request(method, path, **kw)


PROTECTED = sorted(k for k, v in ROUTES.items() if v.role is not None)


@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
def test_route_needs_a_valid_key_of_the_right_role(server: Server, method: str, path: str) -> None:
    case = ROUTES[(method, path)]
    assert case.role is not None
    with httpx.Client(base_url=server.url) as anonymous:
        r = _call(anonymous, method, path, case)
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert r.headers["content-type"] == "application/problem+json"
        for header in ("Bearer sdk_nope_nope", "Basic dXNlcjpwYXNz", "Bearer", "sdk_x_y"):
            r = _call(anonymous, method, path, Case(case.role, {**case.request,
                                                                "headers": {"Authorization": header}}))
            assert r.status_code == 401, header
    needed = ROLES.index(case.role)
    for role in ROLES:
        with server.client("acme", role) as c:
            r = _call(c, method, path, case)
        if ROLES.index(role) < needed:
            assert r.status_code == 403, (role, r.text)
            assert r.headers["content-type"] == "application/problem+json"
        else:
            assert r.status_code not in (401, 403), (role, r.text)


@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
def test_revoked_key_is_refused(server: Server, method: str, path: str) -> None:
    case = ROUTES[(method, path)]
    with server.client("acme", "admin") as admin:
        made = admin.post("/v1/keys", json={"role": "admin", "name": "to revoke"}).json()
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {made['key']}"}) as c:
            assert _call(c, method, path, case).status_code not in (401, 403)
            assert admin.delete(f"/v1/keys/{made['id']}").status_code == 204
            assert _call(c, method, path, case).status_code == 401


def test_tenant_isolation_of_each_route(server: Server) -> None:
    checked = 0
    for case in ROUTES.values():
        if case.tenant_check is not None:
            case.tenant_check(server)
            checked += 1
    assert checked >= 4


def test_public_routes_answer_without_a_key(server: Server) -> None:
    # a mounted app ("MOUNT", the console) has its own sign-in and its own tests (tests/console)
    for (method, path), case in ROUTES.items():
        if case.role is None and "oauth2" not in path and method != "MOUNT":
            assert httpx.request(method, server.url + path).status_code == 200, path


def test_a_mounted_app_needs_an_entry_too() -> None:
    """An app mounted through create_app(mounts=[...]) shows up in the enumeration, so it cannot
    arrive without its own auth tests (the console's entry is in ROUTES)."""
    from starlette.responses import PlainTextResponse

    def console(app: Any) -> None:
        app.mount("/another-console", PlainTextResponse("pages"))

    routes = _walk(create_app(Settings(db="sqlite:///:memory:"), mounts=[console]).routes)
    assert ("MOUNT", "/another-console") in routes and ("MOUNT", "/another-console") not in ROUTES
