"""Credentials never reach the ledger: not in occurrences, not in issues."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from syncdoctor import Host
from syncdoctor.ledger import Database, KeyStore
from syncdoctor.ledger.ledger import Ledger
from syncdoctor.ledger.redact import REDACTED, cap_report, redact, redact_diagnosis
from syncdoctor.ledger.schema import issues, occurrences
from syncdoctor.service import Settings, create_app

from .helpers import DUPLICATE, STALE, rejected

SECRETS = ["eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig", "hunter2hunter2", "sk_live_abcdef123456", "s3cr3t-pa55",
           "refresh-9f8e7d6c5b4a", "dXNlcjpwYXNzd29yZA=="]


def test_nested_credentials_are_redacted_by_key_and_in_text() -> None:
    report = {
        "message": "401 for https://admin:hunter2hunter2@api.example.com/v3 with Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig",
        "payload": {
            "request": {"headers": {"Authorization": "Basic dXNlcjpwYXNzd29yZA==", "Accept": "json"},
                        "url": "https://api.example.com/x?access_token=sk_live_abcdef123456&page=2"},
            "body": [{"client_secret": "s3cr3t-pa55", "refresh_token": "refresh-9f8e7d6c5b4a", "amount": "12.50"}],
            "note": "password: s3cr3t-pa55",
        },
    }
    clean = redact(report)
    text = json.dumps(clean)
    for secret in SECRETS:
        assert secret not in text
    assert clean["payload"]["request"]["headers"]["Accept"] == "json"
    assert clean["payload"]["body"][0]["amount"] == "12.50"
    assert "page=2" in clean["payload"]["request"]["url"] and REDACTED in text
    assert "api.example.com" in clean["message"]


def test_capping_redacts_first() -> None:
    report = {"message": "x", "payload": {"token": "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig", "pad": "y" * 10_000}}
    capped, truncated = cap_report(report, 500)
    assert truncated and "eyJ" not in json.dumps(capped)


def test_nothing_of_a_credential_is_stored(ledger: Ledger) -> None:
    event = rejected(message="Duplicate Document Number Error : DocNumber=1781 is assigned to TxnType=Invoice "
                             "with TxnId=3188 (Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig)",
                     payload={"headers": {"authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig"},
                              "password": "hunter2hunter2"})
    ledger.record("t1", event)
    with ledger.db.connect() as conn:
        stored = repr(conn.execute(select(occurrences)).all()) + repr(conn.execute(select(issues)).all())
    for secret in SECRETS[:2]:
        assert secret not in stored


def test_a_diagnosis_is_scanned_whole_when_its_params_hold_a_credential() -> None:
    from syncdoctor.ledger.redact import redact_diagnosis

    clean = {"params": {"doc_number": "1781"}, "causes": ["Number 1781 is taken"]}
    assert redact_diagnosis(clean) is clean
    leaky = {"params": {"detail": "token=abcdef123456"}, "causes": ["The vendor said token=abcdef123456"]}
    out = redact_diagnosis(leaky)
    assert "abcdef123456" not in str(out) and out["causes"] == ["The vendor said token=[redacted]"]


# --------------------------------------------------------------------------- every form (audit)

# The audit's report: 13 secrets in the forms vendors and hosts actually echo.
AUDIT_REPORT = {
    "message": 'request failed: {"password": "LEAK_PW1", "client_secret": "LEAK_CS2"} X-Api-Key: LEAK_XAK3 '
               "Authorization: Token LEAK_TOK4 Cookie: sid=LEAK_SID5",
    "payload": {"body": '{"access_token":"LEAK_AT6","refresh_token": "LEAK_RT7"}', "jwt": "LEAK_JWT8",
                "x-auth": "LEAK_XA9", "session": "LEAK_SES11",
                "url": "https://api.example.com/x?api-key=LEAK_Q12&access_token=LEAK_Q13"},
}

# (form, value holding LEAK_ tokens, what must stay readable)
FORMS: list[tuple[str, Any, list[str]]] = [
    ("json text", 'failed: {"password": "LEAK_1", "client_secret": "LEAK_2", "user": "bob"}', ['"user": "bob"']),
    ("json text, compact", '{"access_token":"LEAK_1","refresh_token":"LEAK_2","expires_in":3600}', ['"expires_in":3600']),
    ("json text, camelCase", '{"apiKey": "LEAK_1", "clientSecret": "LEAK_2", "accessToken": "LEAK_3"}', ["apiKey"]),
    ("python text", "{'password': 'LEAK_1', 'api_key': 'LEAK_2', 'user': 'bob'}", ["'user': 'bob'"]),
    ("escaped json text", '{\\"password\\": \\"LEAK_1\\", \\"x-api-key\\": \\"LEAK_2\\"}', ["password"]),
    ("ruby hash text", ':password => "LEAK_1", :login => "bob"', [':login => "bob"']),
    ("json text, quote left open", 'cut: {"password": "LEAK_1', ["cut: "]),
    ("header X-Api-Key", "X-Api-Key: LEAK_1\nX-Request-Id: req-42", ["X-Request-Id: req-42"]),
    ("header Authorization Token", "Authorization: Token LEAK_1 then", ["Authorization: Token", "then"]),
    ("header Authorization Bearer", "authorization: Bearer LEAK_1", ["Bearer"]),
    ("header Authorization Basic", "Authorization: Basic LEAK_1", ["Basic"]),
    ("header Authorization Digest",
     'Authorization: Digest username="LEAK_1", realm="api", nonce="LEAK_2", response="LEAK_3" (sent)', ["(sent)"]),
    ("header Authorization, another scheme", "Proxy-Authorization: Custom LEAK_1 ok", ["ok"]),
    ("header Authorization, no scheme", "Authorization: LEAK_1", ["Authorization:"]),
    ("header Cookie", "Cookie: sid=LEAK_1; csrftoken=LEAK_2\nAccept: json", ["Accept: json"]),
    ("header Set-Cookie", "Set-Cookie: session=LEAK_1; Path=/; HttpOnly", ["Set-Cookie:"]),
    ("query string", "https://api.example.com/x?api-key=LEAK_1&access_token=LEAK_2&page=2", ["page=2", "api.example.com"]),
    ("query string, other spellings", "?api_key=LEAK_1&apikey=LEAK_2&apiKey=LEAK_3&X-API-KEY=LEAK_4&n=1", ["n=1"]),
    ("fragment", "https://app.example.com/cb#access_token=LEAK_1&state=xyz", ["state=xyz"]),
    ("key=value text", "login failed password=LEAK_1 pwd=LEAK_2 passwd: LEAK_3 for bob", ["for bob"]),
    ("url userinfo", "https://admin:LEAK_1@api.example.com/v3", ["api.example.com/v3"]),
    ("bearer anywhere", "sent with Bearer LEAK_1eyJhbGciOi", ["sent with Bearer"]),
    ("xml", "<Auth><UserName>bob</UserName><Password>LEAK_1</Password></Auth>", ["<UserName>bob</UserName>"]),
    ("keys", {"jwt": "LEAK_1", "session": "LEAK_2", "x-auth": "LEAK_3", "cookie": "LEAK_4", "X-Api-Key": "LEAK_5",
              "apiKey": "LEAK_6", "Api_Key": "LEAK_7", "sessionId": "LEAK_8", "PHPSESSID": "LEAK_9",
              "Set-Cookie": "LEAK_10", "privateKey": "LEAK_11", "x_auth_token": "LEAK_12", "auth": "LEAK_13",
              "author": "Bob Smith", "keyboard": "azerty", "authenticated": True}, ["Bob Smith", "azerty"]),
    ("header lists", {"headers": [["Authorization", "LEAK_1"], ["Accept", "json"]],
                      "har": [{"name": "Cookie", "value": "LEAK_2"}, {"name": "Host", "value": "api.example.com"}]},
     ["json", "api.example.com"]),
]


@pytest.mark.parametrize(("value", "kept"), [pytest.param(v, k, id=f) for f, v, k in FORMS])
def test_every_form_of_a_credential_is_redacted_and_the_rest_kept(value: Any, kept: list[str]) -> None:
    clean = redact(value)
    text = json.dumps(clean)
    assert "LEAK_" not in text, text
    for words in kept:
        assert words in (clean if isinstance(clean, str) else text), (words, clean)
    assert redact(clean) == clean  # redacting twice changes nothing


def test_only_the_value_goes() -> None:
    assert redact('{"otp": 123456, "token": null}') == '{"otp": [redacted], "token": null}'
    assert redact("X-Api-Key: k1 Authorization: Token t2 Cookie: sid=s3; lang=fr") == \
        "X-Api-Key: [redacted] Authorization: Token [redacted] Cookie: [redacted]"
    assert redact("?api-key=a&page=2") == "?api-key=[redacted]&page=2"


def test_ordinary_text_is_left_as_it_is() -> None:
    for text in [DUPLICATE, STALE, "Token expired: AB11... statusCode=401", "The key was found; session closed",
                 '{"author": "Bob", "keyboard": "fr", "monkey": 3}', "at https://api.example.com/v3/company?page=2"]:
        assert redact(text) == text


def _leaks(text: str) -> list[str]:
    return sorted(set(re.findall(r"LEAK_\w+", text)))


def test_the_audit_s_report_leaks_nowhere(db: Database) -> None:
    """Stored (every column of the occurrence and the issue), answered by GET /v1/issues/{id},
    shown by the console's page of the issue: no LEAK_ token anywhere."""
    store = KeyStore(db)
    _, key = store.create("acme", "write")
    service = Settings(db=db.url.render_as_string(hide_password=False), webhooks_deliver=False, auth_cache_seconds=0,
                        console_secret="c" * 40)
    with TestClient(create_app(service)) as client:
        event = {"client": "firm-42", "vendor": "quickbooks", "entity_id": "i1", "outcome": "rejected",
                 "report": AUDIT_REPORT}
        answer = client.post("/v1/events", json=event, headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200, answer.text
        issue_id = answer.json()["issues"][0]["id"]
        shown = client.get(f"/v1/issues/{issue_id}", headers={"Authorization": f"Bearer {key}"})
        assert shown.status_code == 200 and shown.json()["occurrences"]
        form = client.get("/console/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        client.post("/console/sign-in", data={"csrf": csrf.group(1), "key": key, "next": ""})
        page = client.get(f"/console/issues/{issue_id}")
        assert page.status_code == 200 and issue_id in page.text
    with db.connect() as conn:
        stored = repr(conn.execute(select(occurrences)).all()) + repr(conn.execute(select(issues)).all())
    assert "LEAK_" in json.dumps(AUDIT_REPORT)  # the test sends them...
    assert _leaks(stored) == [] and _leaks(answer.text) == []  # ...and they are nowhere
    assert _leaks(shown.text) == [] and _leaks(page.text) == []
    assert "request failed" in shown.text and "api.example.com" in shown.text  # what is no secret stays


def test_the_diagnosis_params_stored_with_the_issue_are_redacted(db: Database) -> None:
    """A pack may capture free text as a param (Qonto's target_message): the params, the texts
    built from them and the issue's search copy are redacted too."""
    ledger = Ledger(db, Host.from_entry_points(names=["qonto", "acd"]))
    message = ("Synchronization failed: " + AUDIT_REPORT["message"] + " at https://api.example.com/x?api-key=LEAK_Q12")
    answer = ledger.record("t1", {"client": "c", "vendor": "qonto", "entity_id": "tx-1", "outcome": "rejected",
                                  "report": {"message": message}})
    issue = next(i for i in answer["issues"] if i["problem"] == "qonto.sync_failed")
    assert "request failed" in issue["params"]["target_message"]
    with db.connect() as conn:
        stored = repr(conn.execute(select(issues)).all()) + repr(conn.execute(select(occurrences)).all())
    assert _leaks(stored) == [] and _leaks(json.dumps(answer)) == []
    assert _leaks(json.dumps(ledger.issue("t1", issue["id"]), default=str)) == []


NAMES = ["password", "Password", "client_secret", "clientSecret", "api-key", "api_key", "apiKey", "X-Api-Key",
         "access_token", "refresh_token", "x-auth", "jwt", "session", "sessionId", "auth_token", "private_key"]
TEMPLATES = ['{{"{n}": "{v}"}}', "{{'{n}': '{v}'}}", '{{\\"{n}\\": \\"{v}\\"}}', "{n}: {v}", "{n}={v}&page=2",
             "?{n}={v}", '"{n}" => "{v}"', "<{n}>{v}</{n}>", "Authorization: Bearer {v}", "Cookie: {n}={v}; a=b"]


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(NAMES), template=st.sampled_from(TEMPLATES),
       secret=st.text(st.characters(categories=("Lu", "Ll", "Nd"), include_characters="-_.~+/"),
                      min_size=8, max_size=40),
       before=st.sampled_from(["", "request failed: ", "x\n"]))
def test_a_credential_under_any_spelling_of_its_name_is_redacted(name: str, template: str, secret: str,
                                                                 before: str) -> None:
    text = before + template.format(n=name, v="S3CR3T" + secret)
    clean = redact(text)
    assert "S3CR3T" not in clean and redact(clean) == clean
    assert clean.startswith(before)


@pytest.mark.parametrize("text", ["token " + "\\" * 300_000, "a." * 150_000, "https://" + "a." * 150_000])
def test_redaction_is_linear_on_hostile_runs(text: str) -> None:
    """A run of backslashes (or of "a.") was scanned again from each of its characters: 20,000
    took 8 s, so one event could stall the service. Linear, it takes milliseconds; the bound is
    a hundred times that, to fail only on a quadratic scan."""
    import time

    started = time.process_time()
    redact({"message": text})
    assert time.process_time() - started < 5


@pytest.mark.parametrize("name", ["session_date", "token_count", "signature_date", "authorization_code",
                                  "authorization_number", "secretary", "cookie_policy", "password_expires_at",
                                  "AuthorizationFailure", "keyboard", "author"])
def test_ordinary_names_that_contain_a_credential_s_word_are_kept(name: str) -> None:
    assert redact({name: "2024-05-01"}) == {name: "2024-05-01"}
    assert redact({"message": f"{name}: 12-345"}) == {"message": f"{name}: 12-345"}


def test_ordinary_text_after_a_weak_name_is_kept() -> None:
    for text in ("Cash session: 2024-05-01 is not closed", "AuthorizationFailure: -11014-You do not have access"):
        assert redact({"message": text}) == {"message": text}
    assert "abc9" not in str(redact({"message": "session: abc9f00d"}))  # a session id still goes


@pytest.mark.parametrize("text", [
    "private_key: -----BEGIN PRIVATE KEY-----\nMIILEAK\n-----END PRIVATE KEY-----",
    '{"key": "-----BEGIN RSA PRIVATE KEY-----\\nMIILEAK\\n-----END RSA PRIVATE KEY-----"}',
    "API Key: LEAK123", "curl -u admin:LEAK123 https://example.com", "https://user:p@LEAK@host/x",
    "GET https://maps.example.com/api?key=LEAK123&q=1", "https://a.blob.example.net/c?sv=1&sig=LEAK123",
])
def test_more_forms_vendors_echo(text: str) -> None:
    assert "LEAK" not in json.dumps(redact({"message": text}))


def test_a_header_object_in_any_case() -> None:
    assert redact({"headers": [{"Name": "X-Api-Key", "Value": "LEAK"}]}) == {
        "headers": [{"Name": "X-Api-Key", "Value": "[redacted]"}]}


def test_a_secret_param_s_value_leaves_the_diagnosis_s_texts_too() -> None:
    diagnosis = {"title": "The API key sk_live_51Hxyz is revoked", "params": {"api_key": "sk_live_51Hxyz"},
                 "causes": ["Key sk_live_51Hxyz was rotated"],
                 "remediation": {"steps": [{"instructions": "Replace sk_live_51Hxyz"}]}}
    assert "sk_live" not in json.dumps(redact_diagnosis(diagnosis))
