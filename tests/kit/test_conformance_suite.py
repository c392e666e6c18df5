"""The conformance suite itself: on in one line, and how it reports, skips and xfails."""

from __future__ import annotations

from pathlib import Path

import pytest

import syncdoctor.testing.conformance as conformance_module
from syncdoctor import Host
from syncdoctor.model.money import to_decimal
from syncdoctor.testing import CHECKS, Conformance, ConformanceFailure, conformance_tests
from syncdoctor.testing._failures import origin
from syncdoctor.testing._fuzz import Fuzzer

from .kit_plugins import GoodPlugin, too_long

# what a plugin author writes: one line, one test per check
test_good_plugin_conforms = conformance_tests(GoodPlugin(), max_examples=30)


def test_the_one_liner_is_a_test_parametrized_by_check() -> None:
    marks = [m for m in getattr(test_good_plugin_conforms, "pytestmark", []) if m.name == "parametrize"]
    assert marks and marks[0].args == ("check", list(CHECKS))
    assert isinstance(test_good_plugin_conforms.suite, Conformance)  # type: ignore[attr-defined]


def test_checks_can_be_chosen_and_unknown_ones_are_refused() -> None:
    test = conformance_tests("kitgood", checks=["pack", "texts"])
    assert test.pytestmark[0].args == ("check", ["pack", "texts"])  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="unknown check"):
        conformance_tests("kitgood", checks=["pack", "spelling"])
    with pytest.raises(ValueError, match="unknown check 'spelling'"):
        Conformance(GoodPlugin()).failures("spelling")


def test_the_plugin_is_loaded_when_the_first_check_runs_not_at_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[str] = []
    monkeypatch.setattr(conformance_module.Host, "from_entry_points",
                        classmethod(lambda cls, names=None, **kw: loaded.append(names) or Host()))
    suite = conformance_tests("nowhere").suite  # type: ignore[attr-defined]
    assert loaded == []
    outcome = suite.outcome("pack")
    assert loaded == [["nowhere"]]
    assert outcome.status == "failed" and "no plugin was registered" in outcome.failures[0].reason


def test_an_uninstalled_name_says_how_to_install() -> None:
    suite = Conformance("no_such_plugin_installed")
    [failure] = suite.outcome("pack").failures
    assert "not installed" in failure.reason and "pip install -e ." in failure.fix


def test_durable_checks_skip_with_the_reason_when_durable_cannot_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conformance_module, "durable_available", lambda: (False, "ImportError: no module"))
    suite = Conformance(GoodPlugin(), max_examples=5)
    for check in ("examples-durable", "engines-agree"):
        result = suite.outcome(check)
        assert result.status == "skipped"
        assert "durable engine is not available here (ImportError: no module)" in result.reason
    assert suite.outcome("examples-native").status == "passed"


def test_non_utf8_failures_of_the_core_alone_are_an_xfail(monkeypatch: pytest.MonkeyPatch) -> None:
    core = ConformanceFailure("fuzz-non-utf8", None, "input '\\ud800'", "classify raised UnicodeEncodeError: x",
                              "the exception comes from syncdoctor's core, not from your plugin: report it")
    monkeypatch.setattr(Fuzzer, "_run", lambda self, check, strategy, prop: [core])
    result = Conformance(GoodPlugin()).outcome("fuzz-non-utf8")
    assert result.status == "xfailed"
    assert "known limitation of syncdoctor's core" in result.reason

    mine = ConformanceFailure("fuzz-non-utf8", "kitgood.x", "input", "check raised UnicodeEncodeError", "your plugin raised")
    monkeypatch.setattr(Fuzzer, "_run", lambda self, check, strategy, prop: [mine])
    assert Conformance(GoodPlugin()).outcome("fuzz-non-utf8").status == "failed"


def test_exceptions_are_attributed_to_the_plugin_or_the_core() -> None:
    kit_dir = Path(__file__).parent
    try:
        too_long("ABC")
    except ValueError as exc:
        who, where = origin(exc, [kit_dir])
        assert who == "plugin" and where.endswith(f"kit_plugins.py:{too_long.__code__.co_firstlineno + 2}")
    try:
        to_decimal(object())
    except ValueError as exc:
        who, where = origin(exc, [kit_dir])
        assert who == "core" and "model/money.py" in where


def test_outcomes_are_computed_once_and_printable() -> None:
    suite = Conformance(GoodPlugin(), max_examples=5)
    first = suite.outcome("texts")
    assert suite.outcome("texts") is first
    failure = ConformanceFailure("texts", "kitgood.x", "title", "the fr text is empty", "write it")
    first.failures.append(failure)
    message = first.message("kitgood")
    assert message.splitlines()[0] == "syncdoctor conformance: plugin kitgood, check 'texts': 1 failure(s)"
    assert "- kitgood.x [title]: the fr text is empty\n    fix: write it" in message
