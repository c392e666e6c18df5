"""The command line at a real terminal: run in a pseudo-terminal of 80 columns (os.openpty +
TIOCSWINSZ), as a person in tmux would see it: nothing wider than the terminal, ids whole,
colour that follows NO_COLOR / FORCE_COLOR / --color, a progress bar for long batches."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .terminal import ANSI, run_in_pty, visible_lines

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = "docs/examples/entries.jsonl"
CONTEXT = "docs/examples/context.json"
PROBLEM_ID = re.compile(r"\b(?:core|acd|qonto|quickbooks|pos_pennylane)\.[a-z0-9_]+\b")


def fits(text: str, columns: int) -> list[str]:
    lines = [line.rstrip() for line in visible_lines(text)]
    too_wide = [line for line in lines if len(line) > columns]
    assert not too_wide, f"{len(too_wide)} lines wider than {columns}: {too_wide[:3]}"
    return lines


def test_validate_fits_80_columns_and_keeps_ids_whole(tmp_path: Path) -> None:
    long_id = "inv-2026-03-000042-" + "a" * 30
    entries = (ROOT / ENTRIES).read_text().replace('"e1"', json.dumps(long_id))
    path = tmp_path / "entries.jsonl"
    path.write_text(entries)
    code, shown, _ = run_in_pty(["validate", "--context", str(ROOT / CONTEXT), str(path)], cwd=ROOT)
    assert code == 1
    lines = fits(shown, 80)
    text = "\n".join(lines)
    for pid in ("acd.auxiliary_code_invalid", "acd.analytics_allocation_missing", "quickbooks.duplicate_document_number",
                "pos_pennylane.lines_total_mismatch"):
        assert any(pid in line for line in lines), f"{pid} is not whole on one line:\n{text}"
    assert any(long_id in line for line in lines)
    assert "…" not in text and "5 entities checked, 4 findings" in text


@pytest.mark.parametrize("command", [["problems"], ["plugins"], ["--lang", "fr", "problems"]])
def test_catalog_tables_fit_80_columns_with_every_id_whole(command: list[str]) -> None:
    code, shown, _ = run_in_pty(command, cwd=ROOT)
    assert code == 0
    lines = fits(shown, 80)
    if command[-1] == "problems":
        ids = set(PROBLEM_ID.findall("\n".join(lines)))
        assert len(ids) > 50 and "…" not in "\n".join(lines)


def test_a_wide_terminal_gets_columns() -> None:
    code, shown, _ = run_in_pty(["problems"], columns=160, cwd=ROOT)
    lines = fits(shown, 160)
    assert lines[0].split()[:4] == ["id", "category", "severity", "detected"]


def test_demo_fits_80_columns_and_is_short() -> None:
    code, shown, _ = run_in_pty(["demo"], cwd=ROOT, timeout=180)
    assert code == 0
    lines = fits(shown, 80)
    assert 20 < len(lines) < 120, len(lines)  # was ~935 screen lines
    code, shown, _ = run_in_pty(["demo", "--verbose"], cwd=ROOT, timeout=180)
    assert len(fits(shown, 80)) > 120


def test_colour_at_a_terminal_and_no_color() -> None:
    args = ["validate", "--context", CONTEXT, ENTRIES]
    _, coloured, _ = run_in_pty(args, cwd=ROOT)
    assert ANSI.search(coloured)
    _, plain, _ = run_in_pty(args, cwd=ROOT, env={"NO_COLOR": "1"})
    assert not re.search(r"\x1b\[[0-9;]*m", plain)
    _, never, _ = run_in_pty(["--color", "never", *args], cwd=ROOT, env={"FORCE_COLOR": "1"})
    assert not re.search(r"\x1b\[[0-9;]*m", never)


def test_force_color_and_color_always_in_a_pipe() -> None:
    args = ["validate", "--context", CONTEXT, ENTRIES]
    _, _, piped = run_in_pty(args, cwd=ROOT, stdout_pipe=True)
    assert "\x1b[" not in piped and piped.startswith(f"{ENTRIES}:1: error acd.")
    _, _, forced = run_in_pty(args, cwd=ROOT, stdout_pipe=True, env={"FORCE_COLOR": "1"})
    assert "\x1b[" in forced
    _, _, always = run_in_pty(["--color", "always", *args], cwd=ROOT, stdout_pipe=True, env={"NO_COLOR": "1"})
    assert "\x1b[" in always  # --color wins over the environment


def test_a_long_batch_shows_progress_with_rate_and_time_left_on_stderr(tmp_path: Path) -> None:
    good = (ROOT / ENTRIES).read_text().splitlines()[1]
    path = tmp_path / "many.jsonl"
    path.write_text((good + "\n") * 6000)
    code, shown, piped = run_in_pty(["validate", "--json", "--context", str(ROOT / CONTEXT), str(path)], cwd=ROOT,
                                    stdout_pipe=True, env={"SYNCDOCTOR_PROGRESS_AFTER": "0"})
    assert code == 0 and len(piped.splitlines()) == 6000  # stdout untouched by the bar
    bar = ANSI.sub("", shown)
    assert "validate" in bar and "/s)" in bar and "left" in bar
    _, quiet, _ = run_in_pty(["validate", "-q", "--json", "--context", str(ROOT / CONTEXT), str(path)], cwd=ROOT,
                             stdout_pipe=True, env={"SYNCDOCTOR_PROGRESS_AFTER": "0"})
    assert "/s)" not in quiet
    _, french, _ = run_in_pty(["--lang", "fr", "validate", "--json", "--context", str(ROOT / CONTEXT), str(path)],
                              cwd=ROOT, stdout_pipe=True, env={"SYNCDOCTOR_PROGRESS_AFTER": "0"})
    assert "contrôle" in ANSI.sub("", french) and "restant" in ANSI.sub("", french)


def test_french_at_a_terminal() -> None:
    code, shown, _ = run_in_pty(["--lang", "fr", "validate", "--context", CONTEXT, ENTRIES], cwd=ROOT)
    text = "\n".join(fits(shown, 80))
    assert "erreur" in text and "ligne 1" in text and "5 entités vérifiées, 4 constats" in text
    assert " error " not in text and "line 1" not in text


def test_one_diagnosis_wraps_under_its_own_indentation() -> None:
    message = ("Duplicate Document Number Error : You must specify a different number. This number has already "
               "been used. DocNumber=1781 is assigned to TxnType=Invoice with TxnId=3188")
    code, shown, _ = run_in_pty(["classify", "--vendor", "quickbooks", message], cwd=ROOT)
    assert code == 0
    lines = fits(shown, 80)
    step = next(i for i, line in enumerate(lines) if line.startswith("  1. [taxdome"))
    assert lines[step + 1].startswith("     ") and not lines[step + 1].startswith("      ")  # under the text
    assert "quickbooks.duplicate_document_number" in lines[0]


def test_a_plan_wraps_at_the_terminal_and_stays_one_line_per_step_in_a_pipe() -> None:
    code, shown, piped = run_in_pty(["remediate", "--problem", "acd.journal_missing"], cwd=ROOT)
    lines = fits(shown, 80)
    assert code == 0 and lines[0].startswith("acd.journal_missing: ") and len(lines) > 6
    _, _, piped = run_in_pty(["remediate", "--problem", "acd.journal_missing"], cwd=ROOT, stdout_pipe=True)
    assert any(len(line) > 80 for line in piped.splitlines())  # a pipe gets each step whole on its line
