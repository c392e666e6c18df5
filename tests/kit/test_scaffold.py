"""``syncdoctor plugin new``: a complete plugin package that installs and passes its tests."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from syncdoctor.cli import main as _cli
from syncdoctor.testing import CHECKS, Conformance
from syncdoctor.testing.scaffold import ScaffoldError, plugin_files, write_plugin

from .loading import imported
from .throwaway import make_venv, pip_install, run


def test_the_package_has_every_part() -> None:
    files = plugin_files("xero")
    assert sorted(files) == [
        ".gitignore", "README.md", "pyproject.toml",
        "src/syncdoctor_xero/__init__.py", "src/syncdoctor_xero/context.py", "src/syncdoctor_xero/py.typed",
        "src/syncdoctor_xero/rules/xero.yaml",
        "tests/test_conformance.py", "tests/test_rules.py",
    ]
    meta = tomllib.loads(files["pyproject.toml"])
    assert meta["project"]["name"] == "syncdoctor-xero"
    assert meta["project"]["entry-points"]["syncdoctor"] == {"xero": "syncdoctor_xero:plugin"}
    assert any(dep.startswith("syncdoctor") for dep in meta["project"]["dependencies"])
    assert meta["build-system"]["build-backend"] == "setuptools.build_meta"
    assert "rules/*.yaml" in meta["tool"]["setuptools"]["package-data"]["syncdoctor_xero"]
    pack = yaml.safe_load(files["src/syncdoctor_xero/rules/xero.yaml"])
    [problem] = pack["problems"]
    assert problem["id"] == "xero.unknown_account"
    assert problem["match"][0]["pattern"] and problem["detect"]["when"] and problem["remediation"]["steps"]
    assert set(problem["examples"]) == {"match", "no_match", "flagged", "clean"}
    assert 'conformance_tests("xero")' in files["tests/test_conformance.py"]
    assert "class XeroContext(BaseModel)" in files["src/syncdoctor_xero/context.py"]
    assert "class Xero(RulePackPlugin)" in files["src/syncdoctor_xero/__init__.py"]


def test_names_in_several_words() -> None:
    files = plugin_files("sage_fifty")
    assert "class SageFifty(RulePackPlugin)" in files["src/syncdoctor_sage_fifty/__init__.py"]
    assert 'name = "syncdoctor-sage-fifty"' in files["pyproject.toml"]
    assert "Sage Fifty" in files["README.md"]


@pytest.mark.parametrize("name, hint", [("Xero", "'xero'"), ("my-tool", "'my_tool'"), ("9lives", "'tool_9lives'"),
                                        ("class", ""), ("core", "reserved")])
def test_bad_names_are_refused_with_a_suggestion(name: str, hint: str) -> None:
    with pytest.raises(ScaffoldError, match="reserved" if name == "core" else "lower-case letters") as info:
        plugin_files(name)
    assert hint in str(info.value)


def test_written_into_a_subdirectory_and_never_over_a_project(tmp_path: Path) -> None:
    root = write_plugin("xero", tmp_path)
    assert root == tmp_path / "syncdoctor-xero"
    assert (root / "src/syncdoctor_xero/rules/xero.yaml").is_file()
    with pytest.raises(ScaffoldError, match="already exists and is not empty"):
        write_plugin("xero", tmp_path)


def test_the_command_line_writes_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli.main(["plugin", "new", "sage", "--dir", str(tmp_path)]) == 0
    assert (tmp_path / "syncdoctor-sage" / "pyproject.toml").is_file()
    assert "syncdoctor-sage" in capsys.readouterr().out
    assert _cli.main(["plugin", "new", "Bad-Name", "--dir", str(tmp_path)]) == 2
    assert "lower-case letters" in capsys.readouterr().err


def test_the_generated_plugin_conforms(tmp_path: Path) -> None:
    root = write_plugin("scaffold_probe", tmp_path)
    with imported(root / "src", "syncdoctor_scaffold_probe") as module:
        suite = Conformance(module.plugin, max_examples=20)
        outcomes = {check: suite.outcome(check) for check in CHECKS}
    failures = [str(f) for o in outcomes.values() for f in o.failures]
    assert failures == []
    assert outcomes["fuzz-patches"].status == "skipped"  # the example problem has no automatic patch
    assert {o.status for c, o in outcomes.items() if c != "fuzz-patches"} <= {"passed", "skipped"}


@pytest.mark.slow
def test_pip_install_then_pytest_passes(tmp_path: Path) -> None:
    root = write_plugin("xero", tmp_path)
    python = make_venv(tmp_path / "venv")
    pip_install(python, root)
    found = run(python, "-c", "from syncdoctor import Host; h = Host.from_entry_points(names=['xero'], strict=True); "
                "print(sorted(h.plugins), h.plugins['xero'].problems)", cwd=tmp_path)
    assert found.stdout.strip() == "['xero'] 1", found.stderr[-2000:]
    tests = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=root)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout
    assert "test_conformance.py" in run(python, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider", cwd=root).stdout
