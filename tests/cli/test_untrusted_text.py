"""Input is untrusted: in the human text formats (a terminal or a pipe) a value from input is
written with its control characters escaped, so that it can neither drive the terminal (an
OSC that retitles it, a CSI that clears it, a bidi override that reorders what is read) nor
split one finding over several lines. The machine formats keep the exact text (JSON escapes
it; JUnit XML holds no character XML 1.0 forbids)."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from syncdoctor.cli.main import main
from syncdoctor.cli.render import plan_text
from syncdoctor.cli.terminal import Terminal, plain_table, visible

from .terminal import run_in_pty

HOSTILE_ID = "a\u001b]0;pwned\u0007b\u001b[2J\nfake.jsonl:9: error\u202ec\u2028d\u0085e\u007f"
# what must never reach a terminal raw: C0 (ESC, BEL, newline), C1, DEL, U+2028, bidi controls
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

ENTRY = {"kind": "journal_entry", "journal": "AC", "date": "2026-03-26",
         "lines": [{"account": "40100000", "auxiliary": "X\u001b[31mAARO\nY", "debit": "0", "credit": "1"},
                   {"account": "60610000", "debit": "1", "credit": "0"}]}


@pytest.fixture(autouse=True)
def plain_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCDOCTOR_CONFIG", "")
    monkeypatch.setenv("SYNCDOCTOR_LANG", "en")
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "esc.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {**ENTRY, "id": HOSTILE_ID},
        {"kind": "invoice", "id": HOSTILE_ID, "doc_number": "1", "total": "x\u001b[2J"},
    ]) + "\n")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_visible_escapes_what_a_terminal_acts_on() -> None:
    assert visible("a\u001b[2Jb\nc\td\re\u0007") == "a\\x1b[2Jb\\nc\\td\\re\\x07"
    assert visible("\u0085\u009b\u007f\u2028\u2029\u202a\u202e\u2066\u2069") == (
        "\\x85\\x9b\\x7f\\u2028\\u2029\\u202a\\u202e\\u2066\\u2069")
    assert visible("Café 40100000 « ok » \\ 漢字") == "Café 40100000 « ok » \\ 漢字"


def test_validate_in_a_pipe_writes_one_line_per_finding(capsys: pytest.CaptureFixture[str], hostile: Path) -> None:
    code, out, _ = run(capsys, "validate", str(hostile))
    assert code == 2
    lines = out.splitlines()
    assert len(lines) == 3 and lines[-1] == "2 entities checked, 2 findings"
    assert lines[0].startswith(f"{hostile}:1: error acd.auxiliary_code_invalid [")
    assert lines[1].startswith(f"{hostile}:2: error core.invalid_input [")
    assert not RAW.search(out)
    assert "a\\x1b]0;pwned\\x07b\\x1b[2J\\nfake.jsonl:9: error\\u202ec\\u2028d\\x85e\\x7f" in lines[0]
    assert "X\\x1b[31mAARO\\nY" in lines[0] and "x\\x1b[2J" in lines[1]


def test_validate_at_a_terminal_shows_input_escaped(hostile: Path) -> None:
    code, shown, _ = run_in_pty(["validate", "--color", "never", str(hostile)], columns=200)
    assert code == 2
    assert "\u001b]0;pwned" not in shown and "\u001b[2J" not in shown and "\u202e" not in shown
    assert "a\\x1b]0;pwned\\x07b\\x1b[2J\\nfake.jsonl:9: error\\u202ec" in shown
    code, shown, _ = run_in_pty(["validate", "--color", "always", str(hostile)], columns=200)
    assert "\u001b]0;pwned" not in shown and "\u001b[2J" not in shown and "\u001b[31mAARO" not in shown


def test_classify_text_escapes_the_reports_words(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "errors.jsonl"
    path.write_text(json.dumps({"vendor": "acd\u001b]0;pwned\u0007\nx", "message": "boom\u001b[2J"}) + "\n"
                    + json.dumps({"vendor": 5, "message": "\u001b[2J"}) + "\n")
    code, out, _ = run(capsys, "classify", "--input", str(path), "--format", "text")
    assert code == 2 and not RAW.search(out)
    lines = out.splitlines()
    assert len(lines) == 3 and "[acd\\x1b]0;pwned\\x07\\nx]" in lines[0]


def test_remediate_text_escapes_params_and_keeps_one_line_per_step(capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"problem": "acd.auxiliary_code_invalid",
                                "params": {"account": "X\u001b]0;pwned\u0007\n2. [fake step]\u202e"}}))
    code, out, _ = run(capsys, "remediate", str(path))
    assert code == 0 and not RAW.search(out)
    lines = out.splitlines()
    assert lines[0].startswith("acd.auxiliary_code_invalid: Auxiliary code X\\x1b]0;pwned\\x07\\n2. [fake step]\\u202e")
    assert [line[:5] for line in lines[1:]] == ["  1. ", "  2. ", "  3. "]


def test_bad_records_said_on_stderr_are_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"problem": "x\u001b[2J\ny"}) + "\n")
    code, _, err = run(capsys, "remediate", str(path))
    assert code == 2 and not RAW.search(err.rstrip("\n")) and len(err.splitlines()) == 1


def test_terminal_lines_tables_and_plans_escape_values(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    terminal = Terminal("never")
    terminal.line(("id\u001b[2J\n", "bold"), ("x", ""))
    terminal.lines("first \u001b]0;t\u0007\nsecond\u202e")
    terminal.table(["id", "reason"], [["a\nb", "[red]c\u001b[2J"]])
    assert out.getvalue().splitlines() == ["id\\x1b[2J\\nx", "first \\x1b]0;t\\x07", "second\\u202e",
                                           "id    reason", "a\\nb  [red]c\\x1b[2J"]
    assert plain_table(["h"], [["\u0085"]]).splitlines()[1] == "\\x85"
    step = {"system": "s", "action": "a", "automatic": False, "instructions": "do \u001b[2J\nthis"}
    assert plan_text({"steps": [step], "alternatives": [{"title": "t\n2", "steps": []}]}, "en").splitlines() == [
        "  1. [s · a · by a person] do \\x1b[2J\\nthis", "  Option 1: t\\n2"]


def test_a_rich_table_shows_markup_in_input_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    terminal = Terminal("never")
    terminal.is_tty = True
    buffer = io.StringIO()
    terminal._console = Console(file=buffer, width=100, color_system=None, highlight=False)
    terminal.table(["id", "reason"], [["p1", "[bold]not markup[/bold] \u001b[2J"]])
    assert "[bold]not markup[/bold] \\x1b[2J" in buffer.getvalue()


def test_junit_holds_only_characters_xml_allows(capsys: pytest.CaptureFixture[str], hostile: Path) -> None:
    code, out, _ = run(capsys, "validate", "--format", "junit", str(hostile))
    assert code == 2 and not XML_FORBIDDEN.search(out)
    suite = ET.fromstring(out.encode("utf-8"))
    cases = suite.findall(".//testcase")
    assert len(cases) == 2 and "pwned" in (cases[0].get("name") or "")


def test_one_message_in_text_keeps_each_value_on_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    """classify MESSAGE's full explanation: a value from the report (a param, the vendor, a title
    rendered from params) cannot start a line of its own nor drive the terminal."""
    from syncdoctor.cli.classify import _print_diagnosis

    diag = {"problem": "acd.account_already_exists", "title": "Account FA\nFAKE exists", "vendor": "acd\x1b[2J",
            "params": {"account": "FA\u202e\nX"}, "causes": ["cause\nFAKE: line"], "remediation": {"steps": []}}
    _print_diagnosis(diag, "en")
    out = capsys.readouterr().out
    assert not RAW.search(out) and "\nFAKE" not in out
    assert "(Account FA\\nFAKE exists)" in out and "account=FA\\u202e\\nX" in out and "acd\\x1b[2J" in out
