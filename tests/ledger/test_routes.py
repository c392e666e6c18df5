"""The ledger over HTTP: /v1/events, /v1/issues, /v1/issues/{id}/actions, /v1/webhooks.

In-process (the app with its lifespan); the real `syncdoctor serve` processes are in
test_replicas.py and in tests/service/."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient

from syncdoctor.ledger import Database, KeyStore
from syncdoctor.service import Settings, create_app

from .helpers import DUPLICATE, EXPIRED, accepted, rejected


class Api:
    def __init__(self, client: TestClient, keys: dict[tuple[str, str], str]) -> None:
        self.client = client
        self.keys = keys

    def __call__(self, method: str, path: str, tenant: str = "acme", role: str = "admin", **kw):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {self.keys[(tenant, role)]}", **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)


@pytest.fixture
def api(db: Database) -> Iterator[Api]:
    store = KeyStore(db)
    keys = {(t, r): store.create(t, r)[1] for t in ("acme", "globex") for r in ("read", "write", "admin")}
    settings = Settings(db=str(db.url.render_as_string(hide_password=False)), webhooks_deliver=False,
                        auth_cache_seconds=0)
    with TestClient(create_app(settings)) as client:
        yield Api(client, keys)


def test_an_event_answers_its_issue_and_the_issue_is_listed_and_shown(api: Api) -> None:
    r = api("POST", "/v1/events", role="write", json=rejected(), headers={"X-Request-Id": "req-42"})
    assert r.status_code == 200, r.text
    (issue,) = r.json()["issues"]
    assert issue["problem"] == "quickbooks.duplicate_document_number" and issue["count"] == 1
    listed = api("GET", "/v1/issues", role="read").json()
    assert [i["id"] for i in listed["items"]] == [issue["id"]] and listed["next_cursor"] is None
    shown = api("GET", f"/v1/issues/{issue['id']}", role="read").json()
    assert shown["occurrences"][0]["request_id"] == "req-42"
    assert shown["plan"]["steps"] and shown["actions"] == []


def test_ndjson_events_answer_line_by_line_in_order_and_bad_lines_say_why(api: Api) -> None:
    lines = [orjson.dumps(rejected(entity=f"e{n}")) for n in range(5)]
    lines.insert(2, b'{"client": "c", "vendor": "quickbooks", "outcome": "nope", "entity_id": "x"}')
    lines.insert(4, b"{not json")
    lines.append(orjson.dumps(accepted("e0")))
    r = api("POST", "/v1/events", role="write", content=b"\n".join(lines) + b"\n",
            headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    answers = [orjson.loads(line) for line in r.content.splitlines()]
    assert len(answers) == 8
    assert answers[2]["status"] == 422 and answers[2]["record"] == 2 and answers[2]["field"] == "outcome"
    assert answers[4]["status"] == 422 and answers[4]["line"] == 5 and "not valid JSON" in answers[4]["detail"]
    assert [a["issues"][0]["entity"] for i, a in enumerate(answers[:7]) if i not in (2, 4)] == \
        ["e0", "e1", "e2", "e3", "e4"]
    assert answers[7]["resolved"] == [answers[0]["issues"][0]["id"]]


def test_an_invalid_event_is_a_422_naming_the_field(api: Api) -> None:
    r = api("POST", "/v1/events", role="write", json={**rejected(), "at": "2026-12-02T10:00:00"})
    assert r.status_code == 422 and r.json()["field"] == "at" and r.json()["record"] == 0
    assert r.headers["content-type"] == "application/problem+json"
    assert api("POST", "/v1/events", role="write", json=[rejected()]).status_code == 422


def test_filters_and_pages_over_http(api: Api) -> None:
    for n in range(7):
        api("POST", "/v1/events", role="write", json=rejected(entity=f"e{n}", client=f"c{n % 2}"))
    api("POST", "/v1/events", role="write", json=rejected(entity="e0", message=EXPIRED, http_status=401))
    seen, cursor = [], None
    while True:
        r = api("GET", "/v1/issues", role="read", params={"limit": 3, **({"cursor": cursor} if cursor else {})})
        seen += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len({i["id"] for i in seen}) == 8
    assert len(api("GET", "/v1/issues", role="read", params={"client": "c1"}).json()["items"]) == 3
    assert len(api("GET", "/v1/issues", role="read", params={"status": ["open", "muted"]}).json()["items"]) == 8
    assert api("GET", "/v1/issues", role="read", params={"status": "gone"}).status_code == 422
    r = api("GET", "/v1/issues", role="read", params={"cursor": "bogus"})
    assert r.status_code == 422 and "cursor" in r.json()["detail"]
    r = api("GET", "/v1/issues", role="read", params={"since": "2026-01-01T00:00:00"})
    assert r.status_code == 422 and "zone" in r.json()["detail"]
    assert len(api("GET", "/v1/issues", role="read", params={"since": "2020-01-01T00:00:00Z"}).json()["items"]) == 8


def test_counts_and_escalated_over_http(api: Api) -> None:
    for n in range(5):
        api("POST", "/v1/events", role="write", json=rejected(entity=f"e{n}", client=f"c{n % 2}"))
    for _ in range(2):  # e0's third failure in a row escalates it
        api("POST", "/v1/events", role="write", json=rejected(entity="e0", client="c0"))
    counts = api("GET", "/v1/issues/counts", role="read").json()
    assert counts["total"] == 5
    assert counts["by_client"] == [{"client": "c0", "issues": 3}, {"client": "c1", "issues": 2}]
    problem = api("GET", "/v1/issues", role="read").json()["items"][0]["problem"]
    assert counts["by_problem"] == [{"problem": problem, "issues": 5}]
    top = api("GET", "/v1/issues/counts", role="read", params={"client": "c1", "top": 1}).json()
    assert top["total"] == 2 and top["by_client"] == [{"client": "c1", "issues": 2}]
    assert api("GET", "/v1/issues/counts", role="read", params={"top": 0}).status_code == 422
    r = api("GET", "/v1/issues/counts", role="read", params={"since": "2026-01-01T00:00:00"})
    assert r.status_code == 422 and "zone" in r.json()["detail"]
    escalated = api("GET", "/v1/issues", role="read", params={"escalated": "true"}).json()["items"]
    assert [i["entity"] for i in escalated] == ["e0"]
    assert len(api("GET", "/v1/issues", role="read", params={"escalated": "false"}).json()["items"]) == 4
    only = api("GET", "/v1/issues/counts", role="read", params={"escalated": "true"}).json()
    assert only["total"] == 1 and only["by_client"] == [{"client": "c0", "issues": 1}]
    found = api("GET", "/v1/issues", role="read", params={"text": "E3 C1"}).json()["items"]
    assert [i["entity"] for i in found] == ["e3"]
    assert api("GET", "/v1/issues/counts", role="read", params={"text": "c1"}).json()["total"] == 2
    r = api("GET", "/v1/issues", role="read", params={"text": "w " * 21})
    assert r.status_code == 422 and r.json()["field"] == "query.text"


def test_actions_over_http_with_409_and_its_reason(api: Api) -> None:
    issue = api("POST", "/v1/events", role="write", json=rejected()).json()["issues"][0]
    path = f"/v1/issues/{issue['id']}/actions"
    r = api("POST", path, role="write", json={"action": "resolve", "note": "fixed the number"})
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    r = api("POST", path, role="write", json={"action": "resolve"})
    assert r.status_code == 409 and "already resolved" in r.json()["detail"]
    assert r.headers["content-type"] == "application/problem+json"
    assert api("POST", path, role="write", json={"action": "dance"}).status_code == 422
    assert api("POST", path, role="write", json={"action": "note"}).status_code == 422
    assert api("POST", path, role="read", json={"action": "reopen"}).status_code == 403
    actions = api("GET", f"/v1/issues/{issue['id']}", role="read").json()["actions"]
    assert actions[0]["action"] == "resolve" and actions[0]["actor"].startswith("key:")


def test_another_tenants_issue_is_a_404_everywhere(api: Api) -> None:
    issue = api("POST", "/v1/events", role="write", json=rejected()).json()["issues"][0]
    missing = api("GET", "/v1/issues/iss_doesnotexist", tenant="globex", role="read")
    theirs = api("GET", f"/v1/issues/{issue['id']}", tenant="globex", role="read")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"].replace(issue["id"], "X") == missing.json()["detail"].replace("iss_doesnotexist", "X")
    assert api("POST", f"/v1/issues/{issue['id']}/actions", tenant="globex", role="write",
               json={"action": "resolve"}).status_code == 404
    assert api("GET", "/v1/issues", tenant="globex", role="read").json()["items"] == []
    assert api("GET", f"/v1/issues/{issue['id']}", role="read").json()["status"] == "open"


def test_webhook_subscriptions_over_http(api: Api) -> None:
    r = api("POST", "/v1/webhooks", json={"url": "https://hooks.example.com/sd", "events": ["issue.opened"]})
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    created = r.json()
    assert created["secret"].startswith("whsec_") and created["events"] == ["issue.opened"]
    listed = api("GET", "/v1/webhooks").json()
    assert [s["id"] for s in listed] == [created["id"]] and "secret" not in listed[0]
    assert api("GET", f"/v1/webhooks/{created['id']}/deliveries").json() == []
    assert api("GET", "/v1/webhooks", tenant="globex").json() == []
    assert api("DELETE", f"/v1/webhooks/{created['id']}", tenant="globex").status_code == 404
    assert api("GET", f"/v1/webhooks/{created['id']}/deliveries", tenant="globex").status_code == 404
    assert api("GET", "/v1/webhooks", role="write").status_code == 403
    assert api("POST", "/v1/webhooks", json={"url": "ftp://x"}).status_code == 422
    assert api("POST", "/v1/webhooks", json={"url": "https://x", "events": ["issue.nope"]}).status_code == 422
    assert api("DELETE", f"/v1/webhooks/{created['id']}").status_code == 204
    assert api("DELETE", f"/v1/webhooks/{created['id']}").status_code == 404
    assert api("GET", "/v1/webhooks").json() == []


def test_roles(api: Api) -> None:
    assert api("POST", "/v1/events", role="read", json=rejected()).status_code == 403
    assert api("GET", "/v1/issues", role="read").status_code == 200
    assert api("POST", "/v1/webhooks", role="write", json={"url": "https://x"}).status_code == 403


@pytest.mark.parametrize("url", ["http://2130706433/", "http://0x7f.0.0.1/", "http://127.1/", "http://0/",
                                 "http://0177.0.0.1/", "http://exa mple.com/"])
def test_a_webhook_to_a_loopback_address_in_any_spelling_is_a_422(api: Api, url: str) -> None:
    r = api("POST", "/v1/webhooks", json={"url": url})
    assert r.status_code == 422 and r.json()["field"] == "body.url", r.text
    assert api("GET", "/v1/webhooks").json() == []


def test_issues_are_read_in_the_language_asked_whichever_recorded_them(api: Api) -> None:
    """Recorded in French, read in English (and the other way): title, causes and plan come from
    the pack with the issue's params; without ?lang, the service's language (en)."""
    fr = api("POST", "/v1/events?lang=fr", role="write", json=rejected()).json()["issues"][0]
    unknown = api("POST", "/v1/events?lang=fr", role="write",
                  json=rejected(entity="e9", message="nothing anyone recognises")).json()["issues"][0]
    assert fr["title"] == "Numéro de pièce déjà utilisé dans QuickBooks" and unknown["problem"] == "unknown"
    shown = api("GET", f"/v1/issues/{fr['id']}", role="read").json()
    assert shown["title"] == "Document number already used in QuickBooks"
    assert "1781" in str(shown["plan"])  # rendered with the issue's params
    assert shown["plan"] == shown["diagnosis"]["remediation"] and shown["plan"]["steps"]
    english = api("POST", "/v1/classify?lang=en", role="read", json={"vendor": "quickbooks", "message": DUPLICATE})
    assert shown["plan"] == english.json()["diagnoses"][0]["remediation"] != fr["diagnosis"]["remediation"]
    again = api("GET", f"/v1/issues/{fr['id']}?lang=fr", role="read").json()
    assert again["title"] == fr["title"] and again["diagnosis"]["causes"] == fr["diagnosis"]["causes"]
    listed = api("GET", "/v1/issues", role="read", params={"lang": "en"}).json()["items"]
    assert {i["title"] for i in listed} == {"Document number already used in QuickBooks", "Unknown error"}
    acted = api("POST", f"/v1/issues/{fr['id']}/actions?lang=en", role="write", json={"action": "mute"}).json()
    assert acted["status"] == "muted" and acted["title"] == "Document number already used in QuickBooks"


@pytest.mark.parametrize("since", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_since_with_no_utc_time_is_a_422(api: Api, since: str) -> None:
    for path in ("/v1/issues", "/v1/issues/counts"):
        r = api("GET", path, role="read", params={"since": since})
        assert r.status_code == 422 and r.json()["field"] == "query.since", r.text
