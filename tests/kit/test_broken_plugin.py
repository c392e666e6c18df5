"""A deliberately broken plugin is caught by the conformance suite, with what to fix."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from syncdoctor.testing import Conformance, ConformanceFailure

from .kit_plugins import BrokenPlugin, FlakyPlugin, GoodPlugin, InvalidPackPlugin

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def broken() -> Conformance:
    return Conformance(BrokenPlugin(), max_examples=30)


def only(failures: list[ConformanceFailure], problem: str) -> list[ConformanceFailure]:
    return [f for f in failures if f.problem == problem]


def test_a_problem_without_examples_is_named_with_each_missing_kind(broken: Conformance) -> None:
    result = broken.outcome("examples-present")
    assert result.status == "failed"
    missing = only(result.failures, "kitbroken.no_examples")
    assert sorted(f.reason for f in missing) == sorted(f"has no `{k}` example" for k in ("match", "no_match", "flagged",
                                                                                        "clean"))
    assert all("add under `examples:" in f.fix for f in missing)
    # the other problems have theirs
    assert {f.problem for f in result.failures} == {"kitbroken.no_examples"}


def test_a_pattern_that_misses_its_own_example(broken: Conformance) -> None:
    for check in ("examples-native", "examples-durable"):
        result = broken.outcome(check)
        if result.status == "skipped":
            continue
        [miss] = only(result.failures, "kitbroken.pattern_misses")
        assert miss.example == "match #1"
        assert "'The account FOO is closed' classified as unknown" in miss.reason
        assert "fix the pattern" in miss.fix


def test_a_patch_that_does_not_fix_is_caught_even_when_it_changes_nothing(broken: Conformance) -> None:
    result = broken.outcome("patches")
    [wrong] = only(result.failures, "kitbroken.patch_wrong_field")
    assert wrong.example == "flagged #1"
    assert "leaves the problem in place" in wrong.reason and "lines[0].auxiliary" in wrong.reason
    assert "set the very field the detect condition checks" in wrong.fix
    # the examples runner of the core does not see a patch that writes back the same value
    [same] = only(result.failures, "kitbroken.patch_no_change")
    assert "changes nothing" in same.reason


def test_the_fuzzed_patch_check_finds_it_on_generated_entities(broken: Conformance) -> None:
    result = broken.outcome("fuzz-patches")
    assert result.status == "failed"
    assert {f.problem for f in result.failures} <= {"kitbroken.patch_wrong_field", "kitbroken.patch_no_change"}


def test_texts_missing_a_language_or_a_placeholder(broken: Conformance) -> None:
    failures = only(broken.outcome("texts").failures, "kitbroken.untranslated")
    reasons = {(f.example, f.reason) for f in failures}
    assert ("causes[0]", "the fr text is empty") in reasons
    assert ("title", "placeholders differ between en ['name'] and fr []") in reasons
    assert any(example == "causes[0]" and "{nmae} is never filled" in reason for example, reason in reasons)


def test_a_named_check_that_raises_on_fuzzed_input(broken: Conformance) -> None:
    result = broken.outcome("fuzz-validate")
    [failure] = result.failures
    assert failure.problem == "kitbroken.fragile_check"
    assert "check kitbroken.too_long raised ValueError" in failure.reason
    assert failure.example is not None and failure.example.startswith("input ")
    assert "make it return None" in failure.fix


def test_a_context_model_with_a_required_field(broken: Conformance) -> None:
    [failure] = broken.outcome("pack").failures
    assert failure.example == "context model BrokenContext"
    assert "company_id is required" in failure.reason
    assert "give every field of the context model a default" in failure.fix


def test_a_pack_that_does_not_load_names_file_problem_and_line() -> None:
    suite = Conformance(InvalidPackPlugin())
    [failure] = suite.outcome("pack").failures
    assert "invalid.yaml:11" in failure.reason and "kitinvalid.oops" in failure.reason
    assert "instructions: this field is required" in failure.reason
    assert suite.outcome("examples-native").status == "skipped"
    assert "did not load" in suite.outcome("texts").reason


def test_the_good_plugin_passes_the_checks_the_broken_one_fails() -> None:
    suite = Conformance(GoodPlugin(), max_examples=30)
    assert suite.all_failures(["pack", "examples-present", "examples-native", "texts", "patches", "fuzz-validate"]) == []


def test_under_pytest_the_failure_message_says_what_to_fix(tmp_path: Path) -> None:
    """What a plugin author sees: one failed test per broken check, with the hints."""
    (tmp_path / "test_plugin.py").write_text(textwrap.dedent("""
        from syncdoctor.testing import conformance_tests
        from tests.kit.kit_plugins import BrokenPlugin

        test_conformance = conformance_tests(
            BrokenPlugin(), checks=["pack", "examples-present", "examples-native", "texts", "vocabulary", "patches"])
    """))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                           str(tmp_path / "test_plugin.py")], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:]
    assert "5 failed, 1 passed" in out, out[-3000:]
    for expected in (
        "test_conformance[examples-present]",
        "kitbroken.no_examples: has no `match` example",
        "kitbroken.pattern_misses [match #1]: 'The account FOO is closed' classified as unknown",
        "kitbroken.patch_wrong_field [flagged #1]: the automatic patch leaves the problem in place",
        "fix: make the patch set the very field the detect condition checks",
        "kitbroken.untranslated [causes[0]]: the fr text is empty",
    ):
        assert expected in out, f"missing {expected!r} in:\n{out[-4000:]}"
    assert "Traceback" not in out  # failures are messages, not stack traces


def test_a_check_that_is_not_deterministic_breaks_engine_agreement() -> None:
    result = Conformance(FlakyPlugin(), max_examples=30).outcome("engines-agree")
    if result.status == "skipped":
        pytest.skip(result.reason)
    assert result.status == "failed"
    assert any("deterministic" in f.fix for f in result.failures), [str(f) for f in result.failures]
