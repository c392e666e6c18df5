"""`--record`: what was not recorded is named by its input record and field, and makes the
command exit 2 with a ``core.invalid_input`` in its place; the summary's counts agree with
their nouns, in English and in French."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syncdoctor.cli.main import main

pytest.importorskip("sqlalchemy")  # the service extra: the ledger's database


@pytest.fixture(autouse=True)
def plain_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCDOCTOR_CONFIG", "")
    monkeypatch.setenv("SYNCDOCTOR_LANG", "en")
    monkeypatch.delenv("SYNCDOCTOR_TENANT", raising=False)


def record(capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, lines: list[str],
           *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "input.jsonl"
    path.write_text("\n".join(lines) + "\n")
    source = ["--input", str(path)] if command == "classify" else [str(path)]
    code = main([command, *source, "--record", "--client", "c1", "--db", f"sqlite:///{tmp_path}/ledger.db", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_report_without_a_message_is_recorded(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = record(capsys, tmp_path, "classify", ['{"vendor": "acd", "message": "x"}', '{"vendor": "acd"}'])
    assert code == 0 and "not recorded" not in err
    assert "recorded 2 rejections in 1 issue of client c1 (tenant local)" in err


def test_what_is_not_recorded_is_named_by_its_record_and_exits_2(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    lines = ["bad json", '{"vendor": "acd", "message": "x"}',
             json.dumps({"vendor": "acd", "message": "y", "record": "r" * 301}), '{"vendor": "acd"}']
    code, out, err = record(capsys, tmp_path, "classify", lines)
    assert code == 2
    assert "syncdoctor: record 2, field record: not recorded in the issue ledger" in err
    assert "record 1," not in err and "report.message" not in err
    assert "recorded 2 rejections in 1 issue of client c1 (tenant local), 1 not recorded" in err
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["problem"] for a in answers] == ["core.invalid_input", "unknown", "core.invalid_input", "unknown",
                                               "unknown"]
    refused = answers[2]
    assert refused["params"] == {"record": 2, "field": "record"}
    assert refused["causes"][0].startswith("line 3, field record: not recorded in the issue ledger")


def test_a_validated_entity_whose_id_cannot_be_recorded(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    entry = {"kind": "journal_entry", "id": "e1", "journal": "AC", "date": "2026-03-26",
             "lines": [{"account": "40100000", "auxiliary": "XAARO", "debit": "0", "credit": "1"},
                       {"account": "60610000", "debit": "1", "credit": "0"}]}
    long_id = "x" * 301
    code, out, err = record(capsys, tmp_path, "validate", [json.dumps(entry), json.dumps({**entry, "id": long_id})],
                            "--json")
    assert code == 2
    assert "syncdoctor: record 1, field id: not recorded in the issue ledger" in err
    first, second = (json.loads(line) for line in out.splitlines())
    assert all(f["problem"] != "core.invalid_input" for f in first["findings"])
    refused = second["findings"][0]
    assert second["entity"] == long_id and refused["problem"] == "core.invalid_input" and refused["entity"] == long_id
    assert refused["message"].startswith("line 2, field id: not recorded") and refused["path"] == "id"
    assert "recorded 1 rejection in 1 issue of client c1 (tenant local), 1 not recorded" in err


@pytest.mark.parametrize(("lang", "one", "two"), [
    ("en", "recorded 1 rejection in 1 issue of client c1 (tenant local): syncdoctor ledger list",
     "recorded 2 rejections in 2 issues of client c1 (tenant local): syncdoctor ledger list"),
    ("fr", "1 rejet enregistré dans 1 incident du client c1 (espace local) : syncdoctor ledger list",
     "2 rejets enregistrés dans 2 incidents du client c1 (espace local) : syncdoctor ledger list"),
])
def test_the_summary_agrees_with_its_counts(capsys: pytest.CaptureFixture[str], tmp_path: Path, lang: str,
                                            one: str, two: str) -> None:
    code, _, err = record(capsys, tmp_path, "classify", ['{"vendor": "acd", "message": "x", "record": "a"}'],
                          "--lang", lang)
    assert code == 0 and one in err
    code, _, err = record(capsys, tmp_path, "classify", ['{"vendor": "acd", "message": "x", "record": "b"}',
                                                         '{"vendor": "acd", "message": "x", "record": "c"}'],
                          "--lang", lang)
    assert code == 0 and two in err


def test_a_client_the_ledger_refuses_is_one_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "input.jsonl"
    path.write_text('{"vendor": "acd", "message": "x"}\n')
    code = main(["classify", "--input", str(path), "--record", "--client", "c" * 201,
                 "--db", f"sqlite:///{tmp_path}/ledger.db"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.startswith("syncdoctor: --client: String should have at most 200")


def test_a_record_the_ledger_refuses_when_written_makes_the_command_exit_2(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked before, a record can still be refused when written (the database's own limits):
    its answer has gone out, so the exit code says it."""
    from syncdoctor import InputError
    from syncdoctor.ledger.ledger import Ledger

    def refuse_all(self: Ledger, tenant: str, events: list, **kw: object) -> list:  # type: ignore[type-arg]
        return [InputError(n, None, "the database refused this event (DataError); it was not recorded")
                for n in range(len(events))]

    monkeypatch.setattr(Ledger, "record_batch", refuse_all)
    code, _, err = record(capsys, tmp_path, "classify", ['{"vendor": "acd", "message": "x"}'])
    assert code == 2 and "not recorded in the issue ledger: the database refused" in err
    flagged = {"kind": "journal_entry", "id": "e1", "journal": "AC", "date": "2026-03-26", "label": "AARO",
               "party": {"type": "supplier", "name": "AARO"},
               "lines": [{"account": "40100000", "auxiliary": "XAARO", "debit": "0", "credit": "189.99"},
                         {"account": "60610000", "debit": "189.99", "credit": "0"}]}
    code, _, err = record(capsys, tmp_path, "validate", [json.dumps(flagged)])
    assert code == 2 and "not recorded in the issue ledger" in err, err
