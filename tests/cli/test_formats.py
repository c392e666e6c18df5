"""The machine formats of validate and classify, as CI reads them: SARIF 2.1.0 for code
scanning, JUnit XML, GitHub annotations, JSON; --fail-on, --quiet, --statistics, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = "docs/examples/entries.jsonl"
CONTEXT = "docs/examples/context.json"
ERRORS = "docs/examples/errors.jsonl"

# What GitHub code scanning requires of an upload (SARIF 2.1.0; docs.github.com "SARIF support
# for code scanning"): the version, a tool driver with a name and rules with ids, and results
# with a message, a rule, a level and a physical location (artifact uri + region start line).
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "pattern": "sarif-2\\.1\\.0"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["tool", "results"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name", "rules"],
                    "properties": {"name": {"type": "string"}, "version": {"type": "string"}, "rules": {
                        "type": "array", "items": {
                            "type": "object", "required": ["id", "shortDescription", "help"],
                            "properties": {"id": {"type": "string"},
                                           "shortDescription": {"type": "object", "required": ["text"]},
                                           "help": {"type": "object", "required": ["text"]},
                                           "defaultConfiguration": {"type": "object", "properties": {
                                               "level": {"enum": ["none", "note", "warning", "error"]}}}}}}}}}},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["ruleId", "message", "locations", "level"],
                    "properties": {
                        "ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": 0},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}},
                        "locations": {"type": "array", "minItems": 1, "items": {
                            "type": "object", "required": ["physicalLocation"], "properties": {"physicalLocation": {
                                "type": "object", "required": ["artifactLocation", "region"], "properties": {
                                    "artifactLocation": {"type": "object", "required": ["uri"],
                                                         "properties": {"uri": {"type": "string", "minLength": 1}}},
                                    "region": {"type": "object", "required": ["startLine"],
                                               "properties": {"startLine": {"type": "integer", "minimum": 1}}}}}}}}}}},
            },
        }},
    },
}


def cli(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "syncdoctor"
    return subprocess.run([str(script), *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "SYNCDOCTOR_CONFIG": "", "SYNCDOCTOR_LANG": "en"})


def check_sarif(doc: dict[str, Any]) -> None:
    try:
        import jsonschema_rs
    except ImportError:  # the structure is checked by hand below anyway
        pass
    else:
        jsonschema_rs.validator_for(SARIF_SUBSET).validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_points_each_finding_at_the_input_file_and_line() -> None:
    proc = cli("validate", "--context", CONTEXT, "--format", "sarif", ENTRIES)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    check_sarif(doc)
    results = doc["runs"][0]["results"]
    lines = (ROOT / ENTRIES).read_text().splitlines()
    assert {r["ruleId"] for r in results} >= {"acd.auxiliary_code_invalid", "quickbooks.duplicate_document_number"}
    for r in results:
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == ENTRIES
        line = lines[loc["region"]["startLine"] - 1]  # the finding's entity is on that line
        entity = r["message"]["text"].split(":", 1)[0]
        assert f'"{entity}"' in line
    rule = next(x for x in doc["runs"][0]["tool"]["driver"]["rules"] if x["id"] == "acd.auxiliary_code_invalid")
    assert rule["help"]["text"].count("\n") >= 2 and rule["defaultConfiguration"]["level"] == "error"


def test_sarif_of_a_clean_input_and_of_classify() -> None:
    clean_entry = (ROOT / ENTRIES).read_text().splitlines()[1]
    clean = cli("validate", "--context", CONTEXT, "--format", "sarif", "-", stdin=clean_entry + "\n")
    assert clean.returncode == 0
    doc = json.loads(clean.stdout)
    check_sarif(doc)
    assert doc["runs"][0]["results"] == [] and doc["runs"][0]["tool"]["driver"]["rules"] == []
    classified = cli("classify", "--input", ERRORS, "--format", "sarif")
    assert classified.returncode == 0  # classify fails on nothing unless --fail-on says so
    doc = json.loads(classified.stdout)
    check_sarif(doc)
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in doc["runs"][0]["results"]][:2] == [1, 2]


def test_junit_xml_has_a_case_per_record_and_a_failure_per_failing_one() -> None:
    proc = cli("validate", "--context", CONTEXT, "--format", "junit", ENTRIES)
    assert proc.returncode == 1
    root = ET.fromstring(proc.stdout)
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    records = len([x for x in (ROOT / ENTRIES).read_text().splitlines() if x.strip()])
    assert len(cases) == records == int(suite.get("tests", "0"))
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == int(suite.get("failures", "-1")) == 3
    assert all(c.get("line") and c.get("file") == ENTRIES for c in cases)
    bad = cli("validate", "--format", "junit", "-", stdin='{"kind": "journal_entry"}\n{oops\n')
    assert bad.returncode == 2
    suite = ET.fromstring(bad.stdout).find("testsuite")
    assert suite is not None and suite.get("errors") == "1"


def test_github_annotations() -> None:
    proc = cli("validate", "--context", CONTEXT, "--format", "github", ENTRIES)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines and all(x.startswith("::error file=docs/examples/entries.jsonl,line=") for x in lines)
    assert "title=acd.auxiliary_code_invalid::e1: Auxiliary code XAARO" in proc.stdout
    warn = cli("validate", "--context", CONTEXT, "--format", "github", "--fail-on", "never", ENTRIES)
    assert warn.returncode == 0 and warn.stdout.startswith("::warning ")


def test_json_is_one_array_of_the_jsonl_values() -> None:
    as_json = json.loads(cli("validate", "--context", CONTEXT, "--format", "json", ENTRIES).stdout)
    lines = cli("validate", "--context", CONTEXT, "--json", ENTRIES).stdout.splitlines()
    assert as_json == [json.loads(x) for x in lines] and len(lines) == 5


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("warning", 1), ("never", 0)])
def test_fail_on_sets_the_exit_code(fail_on: str, code: int) -> None:
    assert cli("validate", "--context", CONTEXT, "--fail-on", fail_on, "-q", ENTRIES).returncode == code


def test_fail_on_warning_catches_warnings_that_error_lets_through() -> None:
    # core.rate_limited is a warning: classify exits 1 on it only from --fail-on warning
    report = '{"message": "slow down", "http_status": 429, "vendor": "acd"}\n'
    assert json.loads(cli("classify", "--input", "-", stdin=report).stdout)["problem"].endswith("rate_limited")
    assert cli("classify", "--input", "-", "--fail-on", "error", stdin=report).returncode == 0
    assert cli("classify", "--input", "-", "--fail-on", "warning", stdin=report).returncode == 1


def test_bad_input_exits_2_whatever_fail_on_says() -> None:
    proc = cli("validate", "--fail-on", "never", "-", stdin='{"kind": "journal_entry"}\n{oops\n')
    assert proc.returncode == 2 and "-:2: error core.invalid_input" in proc.stdout and "line 2: not valid JSON" in proc.stdout


def test_quiet_and_statistics() -> None:
    loud = cli("validate", "--context", CONTEXT, ENTRIES)
    quiet = cli("validate", "--context", CONTEXT, "-q", ENTRIES)
    assert loud.stdout.splitlines()[-1] == "5 entities checked, 4 findings"
    assert quiet.stdout.splitlines() == loud.stdout.splitlines()[:-1]
    stats = cli("validate", "--context", CONTEXT, "--statistics", "-q", ENTRIES)
    assert "count  problem" in stats.stdout and "1      acd.auxiliary_code_invalid" in stats.stdout
    machine = cli("validate", "--context", CONTEXT, "--statistics", "--json", ENTRIES)
    assert all(json.loads(x) for x in machine.stdout.splitlines())  # stdout stays JSON
    assert "acd.auxiliary_code_invalid" in machine.stderr


def test_plain_output_in_a_pipe_is_never_cut() -> None:
    entity = {"kind": "journal_entry", "id": "an-entity-id-that-is-long-" + "x" * 120,
              "lines": [{"account": "40100000", "auxiliary": "XAARO", "credit": "1"}, {"account": "60610000", "debit": "1"}]}
    proc = cli("validate", "--context", CONTEXT, "-", stdin=json.dumps(entity) + "\n")
    assert f"[{entity['id']}]" in proc.stdout and "…" not in proc.stdout


def test_a_batch_stopped_by_an_error_still_writes_what_it_answered(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path
) -> None:
    """Lines are written 64 KiB at a time (issue 19): Ctrl-C or a failing --record in the
    middle of a batch must not drop the answers already made."""
    from syncdoctor.cli.main import main
    from syncdoctor.host.host import Host

    real = Host.classify_many

    def stops_after_three(self: Host, reports: Any, **kwargs: Any) -> Any:
        for n, diags in enumerate(real(self, reports, **kwargs)):
            if n == 3:
                raise KeyboardInterrupt
            yield diags

    monkeypatch.setattr(Host, "classify_many", stops_after_three)
    source = tmp_path / "reports.jsonl"
    source.write_text("".join(f'{{"message": "the account 40{i} does not exist"}}\n' for i in range(10)))
    assert main(["classify", "--input", str(source), "--json"]) == 130  # as a shell tells Ctrl-C
    lines = capsysbinary.readouterr().out.splitlines()
    assert [json.loads(line)["input"] for line in lines] == [0, 1, 2]
