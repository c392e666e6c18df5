"""`syncdoctor classify` says how it knew the vendor (issue 14, part 3): given, guessed from the
message, unknown, or named but not loaded — never a silent guess."""

from __future__ import annotations

import io
import json
import sys

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
