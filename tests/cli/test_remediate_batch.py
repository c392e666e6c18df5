"""`remediate` over a batch: a bad record is said with its line and field and the rest go on
(design section 8); the text plan shows patches as JSON."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from syncdoctor.cli.main import main
from syncdoctor.cli.render import plan_text

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = ROOT / "docs/examples/entries.jsonl"

BATCH = "\n".join([
    '{"problem": "acd.auxiliary_code_invalid", "params": {"account": "X"}}',
    "garbage",
    '{"problem": "acd.journal_missing"}',
    '{"problem": "nope.nope"}',
    "[1]",
    '{"problem": "acd.journal_missing", "params": [1]}',
    '{"entity": "i1", "findings": [7, {"problem": "zz.zz"}, {"problem": "acd.journal_missing"}]}',
    '{"problem": "acd.journal_missing", "entity": {"kind": "nope"}}',
    '{"problem": "acd.journal_missing"}',
]) + "\n"


@pytest.fixture(autouse=True)
def plain_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCDOCTOR_CONFIG", "")
    monkeypatch.setenv("SYNCDOCTOR_LANG", "en")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_bad_record_is_said_with_its_line_and_field_and_the_rest_go_on(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(BATCH)
    code, out, err = run(capsys, "remediate", str(path))
    assert code == 2
    titles = [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")]
    assert titles == ["acd.auxiliary_code_invalid", "acd.journal_missing", "acd.journal_missing", "acd.journal_missing"]
    said = err.splitlines()
    assert said[:6] == [
        "syncdoctor: line 2: not valid JSON: Expecting value at column 1",
        "syncdoctor: line 4, field problem: unknown problem id 'nope.nope'; see `syncdoctor problems`",
        "syncdoctor: line 5: expected a JSON object: a diagnosis, a finding, or {entity, problem}",
        "syncdoctor: line 6, field params: expected a JSON object",
        "syncdoctor: line 7, field findings.0: expected a finding (a JSON object)",
        "syncdoctor: line 7, field findings.1.problem: unknown problem id 'zz.zz'; see `syncdoctor problems`",
    ]
    assert len(said) == 7 and said[6].startswith("syncdoctor: line 8, field entity.kind: unknown kind 'nope'")


def test_with_json_a_bad_record_is_a_core_invalid_input_line_in_its_place(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(BATCH)
    code, out, err = run(capsys, "remediate", "--json", str(path))
    assert code == 2 and err == ""
    docs = [json.loads(line) for line in out.splitlines()]
    assert [d["problem"] for d in docs] == [
        "acd.auxiliary_code_invalid", "core.invalid_input", "acd.journal_missing", "core.invalid_input",
        "core.invalid_input", "core.invalid_input", "core.invalid_input", "core.invalid_input",
        "acd.journal_missing", "core.invalid_input", "acd.journal_missing"]
    unknown = docs[3]
    assert unknown["severity"] == "error" and unknown["path"] == "problem" and unknown["entity"] == 3
    assert unknown["params"] == {"record": 3, "line": 4, "field": "problem"}
    assert unknown["message"].startswith("line 4, field problem: unknown problem id 'nope.nope'")
    assert unknown["steps"] and unknown["title"]  # still a plan: the plan of core.invalid_input
    not_json = docs[1]
    assert not_json["params"] == {"record": 1, "line": 2} and not_json["message"].startswith("line 2: not valid JSON")
    assert docs[7]["params"] == {"record": 6, "line": 7, "field": "findings.1.problem"}


def test_an_unknown_problem_on_the_command_line_is_one_usage_error(capsys: pytest.CaptureFixture[str],
                                                                    tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"params": {}}\n{"params": {}}\n')
    code, out, err = run(capsys, "remediate", "--problem", "nope.nope", str(path))
    assert code == 2 and out == ""
    assert err.splitlines() == ["syncdoctor: --problem: unknown problem id 'nope.nope'; see `syncdoctor problems`"]


def test_the_text_plan_shows_each_patch_as_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "validate", "--json", str(ENTRIES))
    path = tmp_path / "findings.jsonl"
    path.write_text(out)
    code, out, _ = run(capsys, "remediate", str(path))
    patches = [line.split("patch: ", 1)[1] for line in out.splitlines() if "patch: " in line]
    assert '[{"op":"replace","path":"/lines/0/auxiliary","value":"FAARO"}]' in patches
    assert all(isinstance(json.loads(p), list) for p in patches) and "'op'" not in out


def test_a_patch_keeps_decimals_exact_and_its_text_whole() -> None:
    step = {"system": "syncdoctor", "action": "fix_entity", "automatic": True, "instructions": "Set the total.",
            "patch": [{"op": "replace", "path": "/total", "value": Decimal("120.10")},
                      {"op": "replace", "path": "/label", "value": "Café\nx"}]}
    (line,) = [x for x in plan_text({"steps": [step]}, "en").splitlines() if "patch: " in x]
    assert line.split("patch: ", 1)[1] == ('[{"op":"replace","path":"/total","value":"120.10"},'
                                          '{"op":"replace","path":"/label","value":"Café\\nx"}]')
