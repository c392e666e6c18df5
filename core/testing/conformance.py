"""The conformance suite: everything a plugin must satisfy, on in one line.

In a plugin's tests::

    from syncdoctor.testing import conformance_tests

    test_conformance = conformance_tests("xero")        # an installed plugin, by entry point
    # or: conformance_tests(XeroPlugin())               # a plugin object, not installed

pytest then runs one test per check, named ``test_conformance[<check>]``:

========================  =====================================================================
``pack``                  the plugin loads: valid pack, known hooks; its context model builds empty
``examples-present``      every problem has ``match``/``no_match`` examples when it has
                          signatures, ``flagged``/``clean`` ones when it has ``detect``
``examples-native``       every example behaves on the native engine
``examples-durable``      ... and on the durable engine (skipped where durable_rules cannot run)
``texts``                 every text exists in English and French, with the same placeholders,
                          each of them filled by something
``vocabulary``            each step uses the core's actions and systems, as written and rendered
``patches``               each automatic patch makes its problem disappear from its flagged
                          examples, and applying it twice changes nothing
``fuzz-classify``         classify never raises on generated reports (realistic, Faults, adversarial)
``fuzz-validate``         validate never raises, and the plugin's checks never fail, on generated
                          entities and contexts
``fuzz-patches``          automatic patches fix generated entities they flag, idempotently
``fuzz-non-utf8``         lone surrogates in messages and fields (xfail while the core cannot)
``engines-agree``         native and durable give identical findings and diagnoses
========================  =====================================================================

A failing check lists what to fix: the problem id, the example (or the minimal generated
input), the reason and a hint. ``Conformance(plugin).outcome(check)`` gives the same results
without pytest, e.g. to assert that a broken plugin *is* caught.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from syncdoctor import Host
from syncdoctor.engines.durable import durable_available
from syncdoctor.engines.engine import Engine

from ._failures import CheckOutcome, ConformanceFailure
from ._fuzz import Fuzzer
from ._static import (
    check_context_model,
    check_examples,
    check_examples_present,
    check_patches,
    check_texts,
    check_vocabulary,
)

__all__ = ["CheckOutcome", "CHECKS", "Conformance", "conformance_tests", "ConformanceFailure"]

CHECKS: tuple[str, ...] = (
    "pack",
    "examples-present",
    "examples-native",
    "examples-durable",
    "texts",
    "vocabulary",
    "patches",
    "fuzz-classify",
    "fuzz-validate",
    "fuzz-patches",
    "fuzz-non-utf8",
    "engines-agree",
)


class _Skip(Exception):
    pass


class Conformance:
    """The checks of one plugin. The host is built on first use and kept for all checks.

    :param plugin: an entry-point name (the plugin must be installed) or a plugin object.
    :param max_examples: hypothesis examples per fuzzing check (each is a batch of up to
        four entities, or a report, in both languages).
    """

    def __init__(self, plugin: str | Any, *, max_examples: int = 40) -> None:
        self.target = plugin
        self.max_examples = max_examples
        self._host: Host | None = None
        self._durable: Engine | None = None
        self._outcomes: dict[str, CheckOutcome] = {}

    # -- the host

    @property
    def label(self) -> str:
        return self.target if isinstance(self.target, str) else str(getattr(self.target, "name", self.target))

    @property
    def host(self) -> Host:
        if self._host is None:
            if isinstance(self.target, str):
                host = Host.from_entry_points(names=[self.target], engine="native", strict=False, trace=False)
            else:
                host = Host(engine="native", strict=False, trace=False)
                host.add_plugin(self.target)
            _ = host.engine  # compile now, so that every check sees the same catalog
            self._host = host
        return self._host

    @property
    def name(self) -> str:
        """The plugin's own name (the key of its context and the prefix of its problem ids)."""
        loaded = list(self.host.plugins)
        if not loaded:
            raise _Skip(f"plugin {self.label} did not load, see the `pack` check")
        return loaded[0]

    def _plugin_dirs(self) -> list[Path]:
        obj = self.host.pm.get_plugin(f"plugin:{self.label}") if isinstance(self.target, str) else self.target
        dirs = []
        for candidate in (obj, type(obj)):
            module = inspect.getmodule(candidate)
            if module is not None and getattr(module, "__file__", None):
                root = importlib.import_module(module.__name__.split(".")[0])
                dirs.append(Path(root.__file__ or module.__file__ or ".").resolve().parent)
        return dirs

    def durable(self) -> Engine:
        ok, why = durable_available()
        if not ok:
            raise _Skip(f"the durable engine is not available here ({why}); it needs durable-rules, which does not "
                        "support Python 3.13+; the native engine was checked")
        if self._durable is None:
            self._durable = self.host.make_engine("durable")
        return self._durable

    # -- the checks

    def failures(self, check: str) -> list[ConformanceFailure]:
        """The failures of one check (raises ``_Skip`` when it does not apply)."""
        if check not in CHECKS:
            raise ValueError(f"unknown check {check!r}; one of {', '.join(CHECKS)}")
        host = self.host
        if check == "pack":
            out = [ConformanceFailure("pack", None, None, b.reason, _load_hint(b.reason)) for b in host.broken]
            if not out and not host.plugins:
                out.append(ConformanceFailure("pack", None, None, "no plugin was registered",
                                              "expose a plugin object (a RulePackPlugin instance) as the entry point"))
            for loaded in host.plugins.values():
                out += check_context_model(loaded.spec.context_model)
            return out
        name = self.name
        if check == "examples-present":
            return check_examples_present(host, name)
        if check == "examples-native":
            return check_examples(host, name, host.engine, check)
        if check == "examples-durable":
            return check_examples(host, name, self.durable(), check)
        if check == "texts":
            return check_texts(host, name)
        if check == "vocabulary":
            return check_vocabulary(host, name)
        if check == "patches":
            return check_patches(host, name)
        fuzzer = Fuzzer(host, name, self._plugin_dirs(), self.max_examples)
        if check == "fuzz-classify":
            return fuzzer.fuzz_classify()
        if check == "fuzz-validate":
            return fuzzer.fuzz_validate()
        if check == "fuzz-patches":
            result = fuzzer.fuzz_patches()
            if result is None:
                raise _Skip(f"plugin {name} has no automatic patch")
            return result
        if check == "fuzz-non-utf8":
            failures, known = fuzzer.fuzz_non_utf8()
            if known:
                raise _XFail(known)
            return failures
        return fuzzer.engines_agree(self.durable())

    def outcome(self, check: str) -> CheckOutcome:
        """Run one check once (results are kept) and say how it went."""
        if check not in self._outcomes:
            try:
                failures = self.failures(check)
            except _XFail as exc:
                self._outcomes[check] = CheckOutcome(check, "xfailed", reason=str(exc))
            except _Skip as exc:
                self._outcomes[check] = CheckOutcome(check, "skipped", reason=str(exc))
            else:
                self._outcomes[check] = CheckOutcome(check, "failed" if failures else "passed", failures)
        return self._outcomes[check]

    def run(self, check: str) -> None:
        """Run one check as a pytest test: fail with what to fix, skip or xfail with why."""
        result = self.outcome(check)
        if result.status == "failed":
            pytest.fail(result.message(self.label), pytrace=False)
        elif result.status == "skipped":
            pytest.skip(result.reason)
        elif result.status == "xfailed":
            pytest.xfail(result.reason)

    def all_failures(self, checks: Iterable[str] = CHECKS) -> list[ConformanceFailure]:
        return [f for check in checks for f in self.outcome(check).failures]


class _XFail(_Skip):
    pass


def _load_hint(reason: str) -> str:
    if reason.startswith("invalid rule pack"):
        return "correct the rule pack at the file, problem and line named (`syncdoctor rules lint PATH` shows them all)"
    if reason.startswith("import failed"):
        return "make the entry point importable: check `python -c 'import <your package>'` and the entry point value"
    if reason.startswith(("unknown hook", "invalid hooks")):
        return "implement only the hooks of syncdoctor.hookspecs, with their exact names and parameters"
    if reason.startswith("not installed"):
        return "install the plugin (`pip install -e .`) so that its entry point in the group 'syncdoctor' exists"
    return "fix what the reason says"


def conformance_tests(plugin: str | Any, *, max_examples: int = 40,
                      checks: Iterable[str] = CHECKS) -> Callable[[str], None]:
    """A pytest test function, parametrized by check, that runs the conformance suite::

        test_conformance = conformance_tests("xero")

    The plugin is loaded when the first check runs, not at collection.
    """
    chosen = list(checks)
    unknown = sorted(set(chosen) - set(CHECKS))
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(unknown)}; choose from {', '.join(CHECKS)}")
    suite = Conformance(plugin, max_examples=max_examples)

    @pytest.mark.parametrize("check", chosen)
    def test_conformance(check: str) -> None:
        suite.run(check)

    test_conformance.suite = suite  # type: ignore[attr-defined]
    return test_conformance
