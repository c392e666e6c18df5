"""docs/plugin-authors.md, step by step, so that the tutorial cannot rot.

The page marks its blocks with an HTML comment on the line before the fence:

* ``<!-- file: PATH -->``: write the block to PATH (relative to the plugin project);
* ``<!-- replace-section: PATH -->``: the block starts with a YAML key line; replace that
  section of PATH (from the same line to the next line indented as much or less);
* ``<!-- check -->``: Python to run with the plugin as written so far;
* ``<!-- commands -->``: ``$ ...`` lines to run in the installed project; other lines are
  sample output, whose problem ids must appear in the real output.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from syncdoctor.testing import CHECKS, Conformance

from .loading import imported
from .throwaway import make_venv, pip_install, run

PAGE = Path(__file__).resolve().parents[2] / "docs" / "plugin-authors.md"
BLOCK = re.compile(r"<!-- (file|replace-section|check|commands)(?:: (\S+))? -->\n```[a-z]*\n(.*?)```", re.S)
PACKAGE = "syncdoctor_xero"


@dataclass(frozen=True)
class Block:
    action: str
    path: str | None
    text: str
    line: int


def blocks() -> list[Block]:
    text = PAGE.read_text(encoding="utf-8")
    return [Block(m.group(1), m.group(2), m.group(3), text.count("\n", 0, m.start()) + 1) for m in BLOCK.finditer(text)]


def replace_section(original: str, section: str, where: str) -> str:
    lines = original.splitlines(keepends=True)
    head = section.splitlines(keepends=True)[0]
    starts = [i for i, line in enumerate(lines) if line == head]
    assert len(starts) == 1, f"{where}: the section {head.strip()!r} must appear exactly once in the file"
    start = starts[0]
    indent = len(head) - len(head.lstrip())
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    return "".join(lines[:start]) + section + "".join(lines[end:])


def write(project: Path, block: Block) -> None:
    assert block.path is not None
    target = project / block.path
    where = f"{PAGE.name}:{block.line}"
    if block.action == "file":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.text, encoding="utf-8")
    else:
        assert target.is_file(), f"{where}: {block.path} must be written before a section of it is replaced"
        target.write_text(replace_section(target.read_text(encoding="utf-8"), block.text, where), encoding="utf-8")


def test_the_page_has_the_steps_it_promises() -> None:
    found = blocks()
    written = {b.path for b in found if b.action == "file"}
    assert {"pyproject.toml", "src/syncdoctor_xero/__init__.py", "src/syncdoctor_xero/context.py",
            "src/syncdoctor_xero/rules/errors.yaml", "src/syncdoctor_xero/rules/checks.yaml",
            "tests/test_conformance.py"} <= written
    assert sum(b.action == "check" for b in found) >= 3
    [commands] = [b for b in found if b.action == "commands"]
    assert "$ syncdoctor plugins" in commands.text
    assert '$ syncdoctor classify --vendor xero "' in commands.text


def test_following_the_tutorial_in_process(tmp_path: Path) -> None:
    """Write each file, run each check with the plugin loaded as an object (Host([plugin]))."""
    project = tmp_path / "syncdoctor-xero"
    for block in blocks():
        if block.action in ("file", "replace-section"):
            write(project, block)
        elif block.action == "check":
            with imported(project / "src", PACKAGE):
                code = compile(block.text, f"{PAGE.name}:{block.line}", "exec")
                exec(code, {"__name__": "tutorial"})
    with imported(project / "src", PACKAGE) as module:
        suite = Conformance(module.plugin, max_examples=25)
        outcomes = {check: suite.outcome(check) for check in CHECKS}
        problems = sorted(suite.host.catalog.problems)
    assert [str(f) for o in outcomes.values() for f in o.failures] == []
    assert outcomes["patches"].status == "passed" and outcomes["fuzz-patches"].status == "passed"
    assert [p for p in problems if p.startswith("xero.")] == ["xero.invalid_tax_type", "xero.missing_account_code"]


@pytest.mark.slow
def test_installed_as_the_tutorial_says(tmp_path: Path) -> None:
    """pip install, pytest, then every `$ syncdoctor ...` command of the page."""
    project = tmp_path / "syncdoctor-xero"
    commands: list[Block] = []
    for block in blocks():
        if block.action in ("file", "replace-section"):
            write(project, block)
        elif block.action == "commands":
            commands.append(block)
    python = make_venv(tmp_path / "venv")
    pip_install(python, project)
    for block in commands:
        steps = re.split(r"^\$ ", block.text, flags=re.M)[1:]
        for step in steps:
            command, _, sample = step.partition("\n")
            argv = shlex.split(command)
            if argv[0] == "pip":
                continue  # installed above, without touching the network
            if argv[0] == "pytest":
                proc = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *argv[1:], cwd=project)
                assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
                continue
            assert argv[0] == "syncdoctor", command
            proc = run(python, "-m", "syncdoctor.cli.main", *argv[1:], cwd=project)
            expected_code = 1 if argv[1] == "validate" else 0  # validate: findings of severity error
            assert proc.returncode == expected_code, f"$ {command}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
            assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
            for expected in sorted(set(re.findall(r"xero\.[a-z_]+", sample))):
                assert expected in proc.stdout, f"$ {command}: {expected} not in\n{proc.stdout[-2000:]}"
            if argv[1] == "plugins":
                assert re.search(r"^xero\s+0\.1\.0\s+2\b", proc.stdout, re.M), proc.stdout
            if argv[1] == "remediate":
                assert '"account_code": "200"' in proc.stdout, proc.stdout
