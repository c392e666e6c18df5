"""Hostile input to the ledger, on SQLite and on PostgreSQL alike: JSON nested past reason, NUL
characters, times far in the future, entity ids that are not ids, and a database that refuses
one event of a batch. A bad record is answered with an error naming it and its field; the rest
of a batch goes through; whatever is stored is answered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DataError, DBAPIError

from syncdoctor import InputError
from syncdoctor.ledger import Database, KeyStore
from syncdoctor.ledger import ledger as ledger_module
from syncdoctor.ledger.ledger import Ledger
from syncdoctor.service import Settings, create_app

from .helpers import DUPLICATE, rejected
from .test_routes import Api

MAX_DEPTH = 200  # docs/ledger.md: a value of an event nests at most this deep


@pytest.fixture
def http(db: Database) -> Iterator[Api]:
    """The service in process over ``db`` (test_routes.py's ``api``), its crashes answered as 500s."""
    store = KeyStore(db)
    keys = {("acme", r): store.create("acme", r)[1] for r in ("read", "write", "admin")}
    settings = Settings(db=str(db.url.render_as_string(hide_password=False)), webhooks_deliver=False,
                        auth_cache_seconds=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client, keys)


def nested(levels: int) -> Any:
    """``[[[...]]]``: ``levels`` arrays one inside the other."""
    value: list[Any] = []
    for _ in range(levels - 1):
        value = [value]
    return value


def deep_event(levels: int, entity: str = "deep") -> dict[str, Any]:
    return {"client": "c", "vendor": "acd", "entity_id": entity, "outcome": "rejected",
            "report": {"message": "x", "payload": nested(levels)}}


def as_json(event: dict[str, Any]) -> bytes:
    # orjson stops at 255 levels; the standard library writes what a client may send
    import json

    return json.dumps(event).encode()


def ndjson(http: Api, lines: list[bytes]) -> list[dict[str, Any]]:
    r = http("POST", "/v1/events", role="write", content=b"\n".join(lines) + b"\n",
            headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    return [orjson.loads(line) for line in r.content.splitlines()]


def entities(http: Api) -> set[str]:
    return {i["entity"] for i in http("GET", "/v1/issues", role="read", params={"limit": 1000}).json()["items"]}


# ---------------------------------------------------------------------------- nesting


def test_a_payload_nested_past_the_limit_is_refused_naming_the_field(ledger: Ledger) -> None:
    assert ledger.record("t1", deep_event(MAX_DEPTH))["issues"]  # at the limit: recorded
    for levels in (MAX_DEPTH + 1, 260, 900):
        with pytest.raises(InputError) as caught:
            ledger.record("t1", deep_event(levels), index=3)
        assert (caught.value.record, caught.value.field) == (3, "report.payload")
        assert f"at most {MAX_DEPTH} levels" in caught.value.reason


def test_a_batch_goes_on_past_a_payload_nested_too_deep(ledger: Ledger) -> None:
    answers = ledger.record_batch("t1", [rejected(entity="a"), deep_event(260), rejected(entity="b")], first=10)
    assert isinstance(answers[1], InputError) and (answers[1].record, answers[1].field) == (11, "report.payload")
    assert [a["issues"][0]["entity"] for a in (answers[0], answers[2])] == ["a", "b"]  # type: ignore[index]
    assert {i["entity"] for i in ledger.issues("t1")["items"]} == {"a", "b"}


def test_a_deep_entity_is_refused_naming_it(ledger: Ledger) -> None:
    event = {**rejected(), "entity_id": None, "entity": {"id": "i1", "lines": nested(300)}}
    with pytest.raises(InputError) as caught:
        ledger.record("t1", event)
    assert caught.value.field == "entity" and "nested too deep" in caught.value.reason


def test_deep_events_over_http_are_422_and_the_batch_goes_on(http: Api) -> None:
    fine = http("POST", "/v1/events", role="write", content=as_json(deep_event(200)),
               headers={"Content-Type": "application/json"})
    assert fine.status_code == 200, fine.text
    r = http("POST", "/v1/events", role="write", content=as_json(deep_event(260)),
            headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert (r.json()["record"], r.json()["field"]) == (0, "report.payload")
    assert "nested too deep" in r.json()["detail"]
    answers = ndjson(http, [orjson.dumps(rejected(entity="ok1")), as_json(deep_event(260)),
                           orjson.dumps(rejected(entity="ok2"))])
    assert len(answers) == 3 and answers[1]["status"] == 422
    assert (answers[1]["record"], answers[1]["line"], answers[1]["field"]) == (1, 2, "report.payload")
    assert answers[0]["issues"][0]["entity"] == "ok1" and answers[2]["issues"][0]["entity"] == "ok2"
    assert {"ok1", "ok2"} <= entities(http)


# ---------------------------------------------------------------------------- NUL characters


@pytest.mark.parametrize(("change", "field"), [
    ({"client": "c\u0000x"}, "client"),
    ({"vendor": "quickbooks\u0000"}, "vendor"),
    ({"entity_id": "n\u0000"}, "entity_id"),
    ({"entity_id": None, "entity": {"id": "n\u0000"}}, "entity.id"),
])
def test_a_nul_in_an_identifier_is_refused_naming_the_field(ledger: Ledger, change: dict, field: str) -> None:
    with pytest.raises(InputError) as caught:
        ledger.record("t1", {**rejected(), **change})
    assert caught.value.field == field and "NUL" in caught.value.reason
    assert ledger.issues("t1")["items"] == []


def test_a_nul_in_the_vendor_s_text_becomes_a_replacement_character(ledger: Ledger) -> None:
    event = rejected(message=DUPLICATE.replace("Duplicate", "Dupli\u0000cate") + "\u0000", code="61\u000040",
                     payload={"Fault\u0000": ["a\u0000b", {"k": "\u0000"}]})
    (issue,) = ledger.record("t1", event)["issues"]
    report = ledger.issue("t1", issue["id"])["occurrences"][0]["report"]
    assert report["message"].startswith("Dupli\ufffdcate") and report["message"].endswith("\ufffd")
    assert report["code"] == "61\ufffd40"
    assert report["payload"] == {"Fault\ufffd": ["a\ufffdb", {"k": "\ufffd"}]}
    assert "\u0000" not in orjson.dumps(ledger.issue("t1", issue["id"])).decode()


def test_nul_over_http_is_422_or_404_never_500(http: Api) -> None:
    for change, field in (({"client": "c\u0000x"}, "client"), ({"entity_id": "n\u0000"}, "entity_id")):
        r = http("POST", "/v1/events", role="write", json={**rejected(), **change})
        assert r.status_code == 422 and (r.json()["record"], r.json()["field"]) == (0, field), r.text
    issue = http("POST", "/v1/events", role="write", json=rejected())
    assert issue.status_code == 200
    for name in ("client", "vendor", "problem", "text"):
        for path in ("/v1/issues", "/v1/issues/counts"):
            r = http("GET", path, role="read", params={name: "a\u0000b"})
            assert r.status_code == 422 and r.json()["field"] == f"query.{name}", (path, r.text)
            assert r.headers["content-type"] == "application/problem+json"
    assert http("GET", "/v1/issues/iss_%00", role="read").status_code == 404
    r = http("POST", "/v1/issues/iss_%00/actions", role="write", json={"action": "resolve"})
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    issue_id = issue.json()["issues"][0]["id"]
    r = http("POST", f"/v1/issues/{issue_id}/actions", role="write", json={"action": "note", "note": "a\u0000b"})
    assert r.status_code == 422 and r.json()["field"] == "body.note", r.text
    assert http("GET", f"/v1/issues/{issue_id}", role="read").json()["actions"] == []


def test_a_cursor_naming_a_nul_is_refused(ledger: Ledger) -> None:
    from syncdoctor.ledger.views import encode_cursor

    ledger.record("t1", rejected())
    with pytest.raises(ValueError, match="cursor"):
        ledger.issues("t1", cursor=encode_cursor(datetime.now(UTC), "iss_\u0000"))


def test_an_ndjson_batch_with_a_nul_answers_every_line_and_stores_the_others(http: Api) -> None:
    answers = ndjson(http, [orjson.dumps(rejected(entity="ok3")), orjson.dumps(rejected(entity="n\u0000")),
                           orjson.dumps(rejected(entity="ok4"))])
    assert len(answers) == 3
    assert answers[1]["status"] == 422 and (answers[1]["record"], answers[1]["field"]) == (1, "entity_id")
    assert answers[0]["issues"][0]["entity"] == "ok3" and answers[2]["issues"][0]["entity"] == "ok4"
    assert entities(http) == {"ok3", "ok4"}


def test_a_database_refusing_one_event_of_a_batch_answers_it_and_the_others(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch's one transaction fails, then each event is tried alone: the one the database
    refuses is answered with an error naming it, every other one is stored and answered."""
    real = ledger_module.rejected

    def refusing(scope: Any, batch: Any, event: Any, *args: Any, **kw: Any) -> Any:
        if event.entity_id == "refused":
            raise DataError("INSERT ...", None, Exception("value out of range"))
        return real(scope, batch, event, *args, **kw)

    monkeypatch.setattr(ledger_module, "rejected", refusing)
    answers = ledger.record_batch("t1", [rejected(entity="ok3"), rejected(entity="refused"),
                                         rejected(entity="ok4")], first=5)
    assert isinstance(answers[1], InputError) and answers[1].record == 6
    assert "not recorded" in answers[1].reason and "value out of range" not in answers[1].reason
    assert [a["issues"][0]["entity"] for a in (answers[0], answers[2])] == ["ok3", "ok4"]  # type: ignore[index]
    assert {i["entity"] for i in ledger.issues("t1")["items"]} == {"ok3", "ok4"}
    with pytest.raises(InputError, match="not recorded"):
        ledger.record("t1", rejected(entity="refused"))


def test_database_errors_never_carry_their_parameters(db: Database) -> None:
    """The log line of a failed statement names the statement, never the client or entity in it."""
    with pytest.raises(DBAPIError) as caught, db.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table WHERE client = :client"), {"client": "firm-secret-42"})
    assert "firm-secret-42" not in str(caught.value)


# ---------------------------------------------------------------------------- odd values


def test_a_time_far_in_the_future_is_refused(ledger: Ledger) -> None:
    for at in ("9999-12-31T23:59:59+14:00", (datetime.now(UTC) + timedelta(days=2)).isoformat()):
        with pytest.raises(InputError) as caught:
            ledger.record("t1", {**rejected(), "at": at})
        assert caught.value.field == "at" and "future" in caught.value.reason
    with pytest.raises(InputError, match="out of range") as caught:
        ledger.record("t1", {**rejected(), "at": "0001-01-01T00:00:00+14:00"})
    assert caught.value.field == "at"
    soon = datetime.now(UTC) + timedelta(hours=2)  # a host's clock a little ahead
    (issue,) = ledger.record("t1", {**rejected(), "at": soon.isoformat()})["issues"]
    assert issue["last_seen"].startswith(soon.date().isoformat())


@pytest.mark.parametrize("entity_id", [{"a": 1}, ["x"], True, 1.5])
def test_an_entity_id_is_text_or_an_integer(ledger: Ledger, entity_id: Any) -> None:
    with pytest.raises(InputError) as caught:
        ledger.record("t1", {**rejected(), "entity_id": None, "entity": {"id": entity_id}})
    assert caught.value.field == "entity.id" and "string or an integer" in caught.value.reason
    assert ledger.record("t1", {**rejected(), "entity_id": None, "entity": {"id": 42}})["issues"][0]["entity"] == "42"


def test_odd_values_over_http_name_the_field(http: Api) -> None:
    r = http("POST", "/v1/events", role="write", json={**rejected(), "at": "9999-12-31T23:59:59+14:00"})
    assert r.status_code == 422 and r.json()["field"] == "at", r.text
    r = http("POST", "/v1/events", role="write", json={**rejected(), "entity_id": None, "entity": {"id": {"a": 1}}})
    assert r.status_code == 422 and r.json()["field"] == "entity.id", r.text
    assert entities(http) == set()


def test_a_lone_surrogate_is_refused_in_an_identifier_and_replaced_in_the_vendor_s_text(http: Api) -> None:
    """JSON may spell one (``"\\ud800"``); neither database can encode it."""
    event = b'{"client": "c", "vendor": "acd", "entity_id": "s1", "outcome": "rejected", "report": {"message": ' \
            b'"x\\ud800y", "payload": {"k\\udfff": ["\\ud800"]}}}'
    r = http("POST", "/v1/events", role="write", content=event, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    shown = http("GET", f"/v1/issues/{r.json()['issues'][0]['id']}", role="read").json()
    assert shown["occurrences"][0]["report"]["message"] == "x\ufffdy"
    assert shown["occurrences"][0]["report"]["payload"] == {"k\ufffd": ["\ufffd"]}
    r = http("POST", "/v1/events", role="write", content=event.replace(b'"entity_id": "s1"', b'"entity_id": "s\\ud800"'),
             headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["field"] == "entity_id", r.text
