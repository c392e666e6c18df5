"""Credentials never reach the ledger: not in occurrences, not in issues."""

from __future__ import annotations

import json

from sqlalchemy import select

from syncdoctor.ledger.ledger import Ledger
from syncdoctor.ledger.redact import REDACTED, cap_report, redact
from syncdoctor.ledger.schema import issues, occurrences

from .helpers import rejected

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
