"""The console's pages under hostile input, on SQLite and on PostgreSQL: a paste nested past
reason and filters holding a NUL character answer the console's own error page, never a bare
500. In process (the service's app with the console mounted) over a real ledger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")

from fastapi.testclient import TestClient  # noqa: E402

from syncdoctor.ledger import Database, KeyStore  # noqa: E402
from syncdoctor.service import Settings, create_app  # noqa: E402
from tests.pg import postgres_server, postgres_url  # noqa: E402, F401  (fixtures)

from .inprocess import csrf, sign_in  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    url = f"sqlite:///{tmp_path}/console.db" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    db = Database(url)
    db.upgrade()
    key = KeyStore(db).create("acme", "write")[1]
    settings = Settings(db=url, webhooks_deliver=False, auth_cache_seconds=0, console_secret="x" * 40)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        assert sign_in(c, key).status_code == 303
        r = c.post("/v1/events", headers={"Authorization": f"Bearer {key}"}, json={
            "client": "firm-1", "vendor": "acd", "entity_id": "e1", "outcome": "rejected", "report": {"message": "x"}})
        assert r.status_code == 200, r.text
        c.issue_id = r.json()["issues"][0]["id"]
        yield c
    db.dispose()


def is_page(r: Any, status: int) -> None:
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("text/html") and "<html" in r.text.lower()


@pytest.mark.parametrize("levels", [300, 900, 5000])
def test_a_paste_nested_too_deep_is_the_paste_page_with_a_message(client: Any, levels: int) -> None:
    token = csrf(client.get("/console/paste"))
    r = client.post("/console/paste", data={"csrf": token, "text": "[" * levels + "]" * levels})
    is_page(r, 422)
    assert "nested too deep" in r.text


def test_a_paste_nested_within_the_limit_is_classified(client: Any) -> None:
    token = csrf(client.get("/console/paste"))
    r = client.post("/console/paste", data={"csrf": token, "text": "[" * 150 + "]" * 150, "vendor": "acd"})
    is_page(r, 200)


def test_a_paste_of_json_cut_short_says_it_was_read_as_text(client: Any) -> None:
    token = csrf(client.get("/console/paste"))
    r = client.post("/console/paste", data={"csrf": token, "text": '{"Fault": {"Error": ['})
    is_page(r, 200)
    assert "incomplete or invalid: it was read as the message" in r.text
    token = csrf(client.get("/console/paste"))
    whole = client.post("/console/paste", data={"csrf": token, "text": '{"Fault": {"Error": []}}'})
    assert "incomplete or invalid" not in whole.text


@pytest.mark.parametrize("name", ["client", "vendor", "problem", "text"])
def test_a_filter_holding_a_nul_is_the_bad_request_page(client: Any, name: str) -> None:
    r = client.get("/console/issues", params={name: "a\u0000b", "status": "any"})
    is_page(r, 400)
    assert "NUL" in r.text
    is_page(client.get("/console/issues", params={"status": "any"}), 200)


def test_a_note_holding_a_nul_is_the_bad_request_page(client: Any) -> None:
    page = client.get(f"/console/issues/{client.issue_id}/confirm", params={"action": "note"})
    r = client.post(f"/console/issues/{client.issue_id}/actions",
                    data={"csrf": csrf(page), "action": "note", "note": "called \u0000 back"})
    is_page(r, 400)
    assert "NUL" in r.text
    assert "called" not in client.get(f"/console/issues/{client.issue_id}").text
