"""`classify --record` and `validate --record`: results reach the ledger without the service."""

from __future__ import annotations

import json
from pathlib import Path

from syncdoctor.ledger.ledger import Ledger

from .helpers import DUPLICATE, STALE
from .test_cli import syncdoctor

ENTRY = {"kind": "journal_entry", "id": "e1", "journal": "AC", "date": "2026-03-26", "reference": "FS1",
         "label": "AARO", "lines": [{"account": "40100000", "auxiliary": "XAARO", "debit": "0", "credit": "189.99"},
                                    {"account": "60610000", "debit": "189.99", "credit": "0"}]}


def test_classify_records_one_message(ledger: Ledger, db_url: str) -> None:
    run = syncdoctor("classify", "--vendor", "quickbooks", "--record", "--client", "firm-1", "--entity", "inv-7",
                     "--tenant", "acme", "--db", db_url, DUPLICATE)
    assert "Document number" in run.stdout and "recorded 1 rejection in 1 issue" in run.stderr
    (issue,) = ledger.issues("acme")["items"]
    assert (issue["client"], issue["entity"], issue["problem"]) == ("firm-1", "inv-7",
                                                                    "quickbooks.duplicate_document_number")
    assert ledger.issue("acme", issue["id"])["occurrences"][0]["report"]["message"] == DUPLICATE


def test_classify_records_a_file_of_reports_and_escalates_the_third(ledger: Ledger, db_url: str,
                                                                     tmp_path: Path) -> None:
    reports = [{"vendor": "quickbooks", "message": DUPLICATE, "record": "inv-1"},
               {"vendor": "quickbooks", "message": STALE, "record": "inv-1"},
               {"vendor": "quickbooks", "message": DUPLICATE, "record": "inv-1"},
               {"vendor": "quickbooks", "message": DUPLICATE, "record": "inv-2"},
               "not a report"]
    path = tmp_path / "errors.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in reports) + "\n")
    run = syncdoctor("classify", "--input", str(path), "--record", "--client", "firm-1", "--db", db_url,
                     check=False)
    assert run.returncode in (0, 2) and len(run.stdout.splitlines()) == 5
    assert "recorded 4 rejections in 3 issues" in run.stderr and "1 repeated failure" in run.stderr
    items = {(i["entity"], i["problem"]): i for i in ledger.issues("local")["items"]}
    assert items[("inv-1", "quickbooks.duplicate_document_number")]["count"] == 2
    assert items[("inv-1", "quickbooks.duplicate_document_number")]["escalated"] is True


def test_validate_records_findings_with_their_plan(ledger: Ledger, db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "entries.json"
    path.write_text(json.dumps([ENTRY, {**ENTRY, "id": "e2", "lines": []}]))
    run = syncdoctor("validate", "--record", "--client", "firm-9", "--db", db_url, str(path), check=False)
    assert run.returncode == 1 and "recorded" in run.stderr
    issue = next(i for i in ledger.issues("local")["items"] if i["problem"] == "acd.auxiliary_code_invalid")
    assert (issue["client"], issue["vendor"], issue["entity"]) == ("firm-9", "acd", "e1")
    shown = ledger.issue("local", issue["id"])
    assert shown["plan"]["steps"] and shown["title"] and shown["params"]["account"] == "XAARO"
    assert shown["occurrences"][0]["report"]["payload"]["source"] == "validate"


def test_record_without_a_client_is_a_usage_error(db_url: str) -> None:
    run = syncdoctor("classify", "--vendor", "acd", "--record", "--db", db_url, "The account FOO does not exist",
                     check=False)
    assert run.returncode == 2 and "--client" in run.stderr


def test_a_nul_in_a_recorded_message_is_stored_alike_on_both_databases(ledger: Ledger, db_url: str,
                                                                      tmp_path: Path) -> None:
    """The command line records diagnoses made from the raw report: a NUL in the message reached
    their params, which PostgreSQL refused (a traceback, 'not recorded', exit 0) and SQLite kept."""
    path = tmp_path / "nul.jsonl"
    path.write_text(json.dumps({"vendor": "quickbooks", "message": DUPLICATE.replace("1781", "17\u000081"),
                                "record": "inv-9"}) + "\n")
    run = syncdoctor("classify", "--input", str(path), "--record", "--client", "firm-1", "--db", db_url, "--json",
                     check=False)
    assert run.returncode == 0 and "Traceback" not in run.stderr and "not recorded" not in run.stderr
    (issue,) = ledger.issues("local")["items"]
    assert issue["params"]["doc_number"] == "17\ufffd81"
