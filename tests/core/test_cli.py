"""The command line, driven as a user would: exit codes, JSON shapes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from syncdoctor.cli import main as _cli
from syncdoctor.host.host import Host

from .sample_plugin import Sample


@pytest.fixture(autouse=True)
def only_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI loads entry points; here it gets the sample plugin only."""
    monkeypatch.setattr(_cli.Host, "from_entry_points", classmethod(lambda cls, *a, **k: Host([Sample()], engine=k.get("engine"))))


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: bytes | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        import io

        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = _cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_classify_human_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "classify", "--lang", "en", "The account FOO does not exist")
    assert code == 0
    assert "sample.bad_prefix" in out and "code=FOO" in out and "What to do" in out
    code, out, _ = run(capsys, "classify", "--json", "The account FOO does not exist")
    diag = json.loads(out)
    assert set(diag) >= {"problem", "vendor", "category", "params", "causes", "remediation"}
    assert set(diag["remediation"]) == {"steps", "alternatives"}
    assert set(diag["remediation"]["steps"][0]) >= {"action", "system", "automatic", "instructions"}
    code, out, _ = run(capsys, "--lang", "fr", "classify", "The account FOO does not exist")
    assert "Que faire" in out and "Marquez" in out


def test_classify_batch_in_order_with_bad_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "errors.jsonl"
    f.write_bytes(b'{"message": "The account A1 does not exist"}\n{not json\n{"message": "zzz", "http_status": "x"}\n'
                  b'\xff\xfe\n{"vendor": "sample", "code": "compteInexistant"}\n')
    code, out, _ = run(capsys, "classify", "--input", str(f))
    lines = [json.loads(x) for x in out.splitlines()]
    assert [d["problem"] for d in lines] == ["sample.bad_prefix", "core.invalid_input", "core.invalid_input",
                                             "core.invalid_input", "sample.bad_prefix"]
    assert [d["input"] for d in lines] == [0, 1, 2, 3, 4]
    assert "line 2" in lines[1]["causes"][0] and "not valid JSON" in lines[1]["causes"][0]
    assert "http_status" in lines[2]["causes"][0]
    assert "UTF-8" in lines[3]["causes"][0]
    assert code == 2


def test_validate_json_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    clean = tmp_path / "clean.json"
    clean.write_text(json.dumps([{"kind": "journal_entry", "id": "e1"}]))
    code, out, _ = run(capsys, "validate", "--json", str(clean))
    assert code == 0 and json.loads(out) == {"entity": "e1", "findings": []}
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "journal_entry", "lines": [{"account": "401", "auxiliary": "XA"}]}\n')
    code, out, _ = run(capsys, "validate", "--json", str(bad))
    assert code == 1
    result = json.loads(out)
    assert result["entity"] == 0
    assert set(result["findings"][0]) == {"problem", "severity", "entity", "path", "message", "params"}


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b'{"kind": "journal_entry"}\n{"kind": "nope"}\n', "line 2, field kind: unknown kind 'nope'"),
        (b'{"kind": "invoice", "total": []}\n', "line 1, field total"),
        (b'{"kind": "invoice"}\n', "line 1, field total: required field is missing"),
        (b'{"kind": "journal_entry"}\n{oops\n', "line 2: not valid JSON"),
        (b'\xff\xfe\x00\n', "line 1: not valid UTF-8"),
        (b'{"kind": "customer", "name": "' + b"x" * 1_000_000 + b'"}\n', None),
    ],
)
def test_bad_input_never_tracebacks(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes,
                                    needle: str | None) -> None:
    f = tmp_path / "in.jsonl"
    f.write_bytes(content)
    code, out, err = run(capsys, "validate", str(f))
    assert "Traceback" not in out + err
    if needle:
        assert code == 2 and needle in out
    else:
        assert code == 0


def test_empty_input_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "empty.jsonl"
    f.write_text("")
    code, _, err = run(capsys, "validate", str(f))
    assert code == 2 and "holds no records" in err


def test_remediate_apply(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    entity = {"kind": "journal_entry", "party": {"type": "supplier"}, "lines": [{"account": "401", "auxiliary": "XAARO"}]}
    f = tmp_path / "e.json"
    f.write_text(json.dumps({"entity": entity, "problem": "sample.bad_prefix"}))
    code, out, _ = run(capsys, "remediate", "--apply", "--json", str(f))
    result = json.loads(out)
    assert code == 0 and result["entity"]["lines"][0]["auxiliary"] == "FAARO" and result["remaining"] == []
    code, out, _ = run(capsys, "remediate", "--json", str(f))
    plan = json.loads(out)
    assert plan["steps"][0]["automatic"] is True
    assert plan["steps"][0]["patch"] == [{"op": "replace", "path": "/lines/0/auxiliary", "value": "FAARO"}]


def test_remediate_from_a_diagnosis(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, out, _ = run(capsys, "classify", "--json", "The account XY does not exist")
    f = tmp_path / "d.json"
    f.write_text(out)
    code, out, _ = run(capsys, "remediate", str(f))
    assert code == 0 and "Mark the entry verified" in out


def test_plugins_problems_and_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "plugins", "--json")
    row = json.loads(out.splitlines()[0])
    assert row["name"] == "sample" and row["problems"] == 3 and "register_plugin" in row["hooks"]
    code, out, _ = run(capsys, "problems", "--plugin", "sample", "--json")
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["sample.bad_prefix", "sample.unbalanced",
                                                               "sample.duplicate_ref"]
    code, out, _ = run(capsys, "rules", "schema")
    assert json.loads(out)["title"] == "syncdoctor rule pack"
    broken = tmp_path / "broken.yaml"
    broken.write_text((Path(__file__).parent / "packs" / "sample.yaml").read_text().replace("system: qonto", "system: nowhere"))
    code, found, _ = run(capsys, "rules", "lint", str(broken))  # findings on stdout, as a linter's
    assert code == 1 and f"{broken}:" in found and "sample.bad_prefix" in found


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "classify", "--vendor", "nobody", "x")[0] == 2
    assert run(capsys, "nonsense")[0] == 2
    assert run(capsys)[0] == 2
    assert run(capsys, "remediate", "--problem", "no.such")[0] == 2


def test_console_script_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "syncdoctor.cli.main", "rules", "schema"], capture_output=True, text=True)
    assert proc.returncode == 0 and '"title": "syncdoctor rule pack"' in proc.stdout


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b'{"kind": "invoice", "id": "x", "total": ' + b"9" * 5000 + b"}\n", "line 1: not valid JSON"),
        (b"\n" * 100 + b'[{"kind": "journal_entry", "id": "a"}]', None),
    ],
)
def test_more_bad_or_odd_input(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes,
                               needle: str | None) -> None:
    f = tmp_path / "in.jsonl"
    f.write_bytes(content)
    code, out, err = run(capsys, "validate", "--json", str(f))
    assert "Traceback" not in out + err
    if needle:
        assert code == 2 and needle in out
    else:
        assert code == 0 and json.loads(out) == {"entity": "a", "findings": []}


def test_an_unknown_target_is_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text('{"kind": "journal_entry", "id": "e1", "target": "acdd"}\n')
    code, out, _ = run(capsys, "validate", "--json", str(f))
    finding = json.loads(out)["findings"][0]
    assert code == 2 and finding["problem"] == "core.invalid_input" and finding["path"] == "target"


@pytest.mark.parametrize("params", ["{bad", "[1, 2]", '"x"'])
def test_remediate_refuses_odd_params(capsys: pytest.CaptureFixture[str], params: str) -> None:
    code, _, err = run(capsys, "remediate", "--problem", "sample.bad_prefix", "--params", params)
    assert code == 2 and "--params" in err


def test_remediate_refuses_odd_documents(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for doc in ({"problem": ["a"]}, {"problem": "sample.bad_prefix", "params": [1]}):
        f = tmp_path / "d.json"
        f.write_text(json.dumps(doc))
        assert run(capsys, "remediate", str(f))[0] == 2
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert run(capsys, "remediate", "--problem", "sample.bad_prefix", "--context", str(deep))[0] == 2
    ctx = tmp_path / "ctx.json"
    ctx.write_text("[1]")
    entity = tmp_path / "e.json"
    entity.write_text(json.dumps({"kind": "journal_entry"}))
    code, _, err = run(capsys, "remediate", "--apply", "--entity", str(entity), "--context", str(ctx))
    assert code == 2 and "keyed by plugin name" in err


def test_lone_surrogates_are_written_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text('{"kind": "invoice", "id": "a\\ud800", "total": "1"}\n')
    proc = subprocess.run([sys.executable, "-m", "syncdoctor.cli.main", "validate", "--json", str(f)],
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["entity"] == "a\ud800"

