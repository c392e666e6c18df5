"""`syncdoctor classify` says how it knew the vendor (issue 14, part 3): given, guessed from the
message, unknown, or named but not loaded — never a silent guess."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from syncdoctor.cli import main as _cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert _cli.main(list(argv)) == 0
    return capsys.readouterr().out


def test_a_guessed_vendor_is_shown_as_guessed(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "classify", "--lang", "en", "Duplicate Document Number Error")
    assert "Vendor: quickbooks (guessed from the message; give --vendor to be sure)" in out
    out = run(capsys, "classify", "--lang", "fr", "Duplicate Document Number Error")
    assert "Éditeur : quickbooks (déduit du message ; précisez --vendor pour en être sûr)" in out
    data = json.loads(run(capsys, "classify", "--json", "Duplicate Document Number Error"))
    assert data["vendor"] == "quickbooks" and data["vendor_guessed"] is True


def test_a_given_vendor_is_not_marked(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "classify", "--lang", "en", "--vendor", "quickbooks", "Duplicate Document Number Error")
    assert "Vendor: quickbooks    Category: Invoices" in out
    data = json.loads(run(capsys, "classify", "--json", "--vendor", "qbo", "Duplicate Document Number Error"))
    assert "vendor_guessed" not in data


def test_a_status_alone_says_the_vendor_is_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "classify", "--lang", "en", "--status", "503", "503 Service Unavailable")
    assert "Problem: core.vendor_unavailable" in out
    assert "Vendor: unknown (give --vendor to apply its rules)" in out
    out = run(capsys, "classify", "--lang", "en", "nothing anyone recognises")
    assert "Problem: unknown" in out and "Vendor: unknown" in out


def test_a_named_vendor_without_plugin_is_said(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    lines = b'{"vendor": "xero", "message": "x", "http_status": 429}\n{"message": "Stale Object Error"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))
    first, second = (json.loads(line) for line in run(capsys, "classify", "--input", "-").splitlines())
    assert first["problem"] == "core.rate_limited" and first["vendor"] == "xero" and "vendor_guessed" not in first
    assert second["problem"] == "quickbooks.stale_object" and second["vendor_guessed"] is True


def test_a_record_s_own_vendor_is_not_a_guess_under_another_vendor_flag(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The record's vendor wins over --vendor (Host.classify_many), so the note follows it."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"vendor": "quickbooks", "message": "x"}\n')))
    (line,) = run(capsys, "classify", "--vendor", "acd", "--input", "-").splitlines()
    data = json.loads(line)
    assert data["vendor"] == "quickbooks" and "vendor_guessed" not in data


def test_every_diagnosis_carries_vendor_and_category_null_when_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    """design 7: a diagnosis is {"problem", "vendor", "category", ...}."""
    data = json.loads(run(capsys, "classify", "--json", "nothing anyone recognises"))
    assert data["problem"] == "unknown" and data["vendor"] is None and data["category"] is None
    data = json.loads(run(capsys, "classify", "--json", "--vendor", "acd", "nothing anyone recognises"))
    assert data["vendor"] == "acd" and "category" in data


def test_an_unknown_error_is_an_error_in_every_format_and_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli.main(["classify", "--fail-on", "error", "nothing anyone recognises"]) == 1
    assert _cli.main(["classify", "--fail-on", "error", "--json", "nothing anyone recognises"]) == 1
    assert _cli.main(["classify", "--fail-on", "error", "--status", "429", "slow down"]) == 0  # a warning
    capsys.readouterr()
    # annotations are errors where they fail the run (classify's default --fail-on is never)
    assert _cli.main(["classify", "--format", "github", "--fail-on", "error", "nothing anyone recognises"]) == 1
    assert capsys.readouterr().out.startswith("::error")


def test_a_message_beside_input_is_a_usage_error_not_ignored(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "r.jsonl"
    f.write_text('{"message": "x"}\n')
    assert _cli.main(["classify", "--input", str(f), "Stale Object Error"]) == 2
    assert "not both" in capsys.readouterr().err
