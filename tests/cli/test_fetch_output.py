"""What `syncdoctor fetch` writes keeps every field of the contract, null ones too (design
section 7: a bank transaction has `"note": null, "reference": null`), and reads back as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncdoctor import Faults, SandboxServer
from syncdoctor.cli.main import main
from syncdoctor_qonto.sandbox import QontoSandbox
from syncdoctor_qonto.sandbox_data import build_data


@pytest.fixture(scope="module")
def qonto() -> Iterator[SandboxServer]:
    with SandboxServer(QontoSandbox(build_data(), Faults()), name="qonto") as server:
        yield server


def test_bank_transactions_keep_their_null_fields(qonto: SandboxServer, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCDOCTOR_CONFIG", "")
    out = tmp_path / "transactions.jsonl"
    assert main(["fetch", "qonto", "--base-url", qonto.url, "--login", "sandbox", "--secret-key", "sandbox",
                 "--output", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    transactions = [r for r in records if r["kind"] == "bank_transaction"]
    assert transactions and all({"note", "reference", "label", "settled_at", "tags"} <= t.keys() for t in transactions)
    assert any(t["note"] is None for t in transactions) and any(t["reference"] is None for t in transactions)
    capsys.readouterr()
    code = main(["validate", "--json", str(out)])  # what fetch wrote reads back: no record is bad input
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code != 2 and len(lines) == len(records)
    assert not [f for line in lines for f in line["findings"] if f["problem"] == "core.invalid_input"]
