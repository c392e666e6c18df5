"""Bodies the service must refuse by its own error rules (docs/service.md, Errors): a media type
that is not JSON is a 415, a body that is not JSON, not UTF-8 or nested past reason is a 422
naming the problem, a field of the wrong kind is a 422 naming it; every one a problem document,
never a bare 400 or 500. In process, over a temporary SQLite ledger."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from syncdoctor.ledger import Database, KeyStore
from syncdoctor.service import Settings, create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


class Api:
    def __init__(self, client: TestClient, keys: dict[str, str]) -> None:
        self.client = client
        self.keys = keys

    def __call__(self, method: str, path: str, role: str = "admin", **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.keys[role]}", **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    url = f"sqlite:///{tmp_path_factory.mktemp('bodies') / 'service.db'}"
    db = Database(url)
    db.upgrade()
    store = KeyStore(db)
    keys = {role: store.create("acme", role)[1] for role in ("read", "write", "admin")}
    settings = Settings(db=url, webhooks_deliver=False, auth_cache_seconds=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client, keys)
    db.dispose()


@pytest.fixture(scope="module")
def issue_id(api: Api) -> str:
    r = api("POST", "/v1/events", role="write", json={
        "client": "c", "vendor": "acd", "entity_id": "e1", "outcome": "rejected", "report": {"message": "x"}})
    assert r.status_code == 200, r.text
    return str(r.json()["issues"][0]["id"])


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json", r.headers
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["detail"]
    return body


def routes(issue: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, role, a valid body) of each route that reads one JSON object."""
    return [(f"/v1/issues/{issue}/actions", "write", {"action": "note", "note": "called"}),
            ("/v1/webhooks", "admin", {"url": "https://hooks.example.com/in"}),
            ("/v1/keys", "admin", {"role": "read"})]


def test_a_body_that_is_not_json_is_a_415(api: Api, issue_id: str) -> None:
    for path, role, body in routes(issue_id):
        for media in ("text/plain", "application/x-www-form-urlencoded", "application/x-ndjson"):
            r = api("POST", path, role, content=json.dumps(body), headers={"Content-Type": media})
            assert problem(r, 415)["field"] == "content-type", (path, media)


@pytest.mark.parametrize(("content", "says"), [
    (b'{"note": "\xff"}', "UTF-8"),
    (deep(3000).encode(), "nested too deeply"),
    (b'{"action":', "not valid JSON"),
    (b"", "empty"),
])
def test_a_body_that_cannot_be_read_is_a_422_saying_why(api: Api, issue_id: str, content: bytes, says: str) -> None:
    for path, role, _ in routes(issue_id):
        r = api("POST", path, role, content=content, headers={"Content-Type": "application/json"})
        body = problem(r, 422)
        assert body["field"] == "body" and says in body["detail"], (path, body)


def test_a_field_of_the_wrong_kind_is_a_422_naming_it(api: Api, issue_id: str) -> None:
    for path, role, _ in routes(issue_id):
        assert problem(api("POST", path, role, json=["x"]), 422)["field"] == "body", path
    assert problem(api("POST", f"/v1/issues/{issue_id}/actions", "write", json={"action": 5}), 422)["field"] \
        == "body.action"
    assert problem(api("POST", "/v1/keys", json={"role": "root"}), 422)["field"] == "body.role"
    assert problem(api("POST", "/v1/keys", json={"role": "read", "extra": 1}), 422)["field"] == "body.extra"
    assert problem(api("POST", "/v1/webhooks", json={"url": "https://x.example", "events": []}), 422)["field"] \
        == "body.events"


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/keys", {"role": "read", "name": "a\u0000b"}, "body.name"),
    ("/v1/webhooks", {"url": "https://hooks.example.com/in", "secret": "s" * 20 + "\u0000"}, "body.secret"),
    ("/v1/webhooks", {"url": "https://hooks.example.com/\u0000"}, "body.url"),
])
def test_a_nul_in_a_body_is_a_422_naming_the_field(api: Api, path: str, body: dict[str, Any], field: str) -> None:
    assert problem(api("POST", path, json=body), 422)["field"] == field


def test_valid_bodies_still_work(api: Api, issue_id: str) -> None:
    for path, role, body in routes(issue_id):
        r = api("POST", path, role, json=body)
        assert r.status_code in (200, 201), (path, r.text)


def test_remediate_refuses_an_entity_nested_too_deep(api: Api) -> None:
    entry = json.loads((EXAMPLES / "entry.json").read_text())
    context = json.loads((EXAMPLES / "context.json").read_text())
    for query, extra in (("?apply=true", {}), ("", {"problem": "acd.auxiliary_code_invalid"})):
        text = json.dumps({"entity": {**entry, "extra": "@"}, "context": context, **extra}).replace('"@"', deep(300))
        r = api("POST", "/v1/remediate" + query, "read", content=text, headers={"Content-Type": "application/json"})
        body = problem(r, 422)
        assert body["field"] == "entity" and "nested too deep" in body["detail"], body
    fine = api("POST", "/v1/remediate?apply=true", "read", json={"entity": entry, "context": context})
    assert fine.status_code == 200 and fine.json()["applied"], fine.text
