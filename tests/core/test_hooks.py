"""One test per hook (named test_hook_<name>), and the hook reference kept in step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from syncdoctor import (
    BankTransaction,
    BatchState,
    Diagnosis,
    ErrorReport,
    FetchResult,
    Finding,
    Host,
    PluginSpec,
    RemediationPlan,
    Step,
    hookimpl,
    hookspecs,
)
from syncdoctor.cli.docs import HOOKS, hooks_markdown, problems_markdown

from .sample_plugin import Sample

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_hook_has_a_test_and_a_documented_signature() -> None:
    tests = [name for name in globals() if name.startswith("test_hook_")]
    host = Host()
    declared = sorted(n for n in dir(host.pm.hook) if not n.startswith("_"))
    assert declared == sorted(HOOKS)
    text = (DOCS / "hooks.md").read_text(encoding="utf-8")
    for hook in declared:
        assert f"test_hook_{hook}" in tests, f"hook {hook} has no test_hook_{hook}"
        fn = getattr(hookspecs, hook)
        assert fn.__doc__ and ":return:" in fn.__doc__, f"hook {hook} has no docstring with the return contract"
        assert f"## `{hook}(" in text, f"docs/hooks.md has no section for {hook}"


def test_generated_reference_pages_are_current() -> None:
    assert (DOCS / "hooks.md").read_text(encoding="utf-8") == hooks_markdown(), "run python -m syncdoctor.cli.docs"
    host = Host.from_entry_points()
    if not host.broken:
        assert (DOCS / "problems.md").read_text(encoding="utf-8") == problems_markdown(host), (
            "run python -m syncdoctor.cli.docs"
        )


def test_hook_register_plugin() -> None:
    class Minimal:
        @hookimpl
        def register_plugin(self) -> PluginSpec:
            return PluginSpec(name="minimal", version="2.0", vendors=("mini",))

    host = Host([Minimal()])
    assert host.plugins["minimal"].version == "2.0"
    assert host.catalog.plugin_for("MINI") == "minimal"


def test_hook_validate_entry() -> None:
    class Custom:
        @hookimpl
        def validate_entry(self, entity: Any, context: Any, batch: Any) -> list[Finding]:
            if entity.kind == "invoice" and entity.total < 0:
                return [Finding(problem="custom.negative", severity="error", entity=None, path="total",
                                message="negative total")]
            return []

    host = Host([Custom(), Sample()])
    results = list(host.validate_many([{"kind": "invoice", "id": "i1", "total": "-1"}, {"kind": "invoice", "total": "1"}]))
    assert [(f.problem, f.entity) for f in results[0].findings] == [("custom.negative", "i1")]
    assert results[1].findings == []
    # the pluggy hook answers too, through the core's pack runner
    entity = host.parse_entity({"kind": "journal_entry", "lines": [{"account": "4", "auxiliary": "ZZ"}]})
    outs = host.pm.hook.validate_entry(entity=entity, context={}, batch=BatchState())
    assert any(f.problem == "sample.bad_prefix" for out in outs for f in out)


def test_hook_classify_error() -> None:
    class Custom:
        @hookimpl
        def classify_error(self, report: ErrorReport, lang: str) -> list[Diagnosis] | None:
            if "teapot" in report.message:
                return [Diagnosis(problem="custom.teapot", vendor="custom", causes=["I am a teapot"])]
            return None

    host = Host([Custom(), Sample()])
    assert host.classify("the teapot is full")[0].problem == "custom.teapot"
    assert host.classify("The account Z does not exist")[0].problem == "sample.bad_prefix"


def test_hook_remediate() -> None:
    class Custom:
        @hookimpl(tryfirst=True)
        def remediate(self, problem: str, params: Any, entity: Any, lang: str) -> RemediationPlan | None:
            if problem != "sample.unbalanced":
                return None
            return RemediationPlan(problem=problem, steps=[Step(action="contact_support", system="vendor_support",
                                                                instructions="call us")])

    host = Host([Custom(), Sample()])
    assert host.remediate("sample.unbalanced")[0].steps[0].instructions == "call us"
    assert host.remediate("sample.bad_prefix", {"code": "X", "fixed": "FX"})[0].steps[0].instructions == "Change X to FX."


def test_hook_fetch_transactions() -> None:
    class Source:
        @hookimpl
        def fetch_transactions(self, source: str, options: Any) -> FetchResult | None:
            if source != "bank":
                return None

            def items() -> Any:
                for i in range(3):
                    yield BankTransaction(id=f"t{i}", amount="1.00", side="credit")
                result.state["cursor"] = 3

            result = FetchResult(items())
            return result

    host = Host([Source()])
    result = host.fetch("bank", {})
    assert [t.id for t in result] == ["t0", "t1", "t2"] and result.state == {"cursor": 3}
    with pytest.raises(Exception, match="no loaded plugin fetches from 'elsewhere'"):
        host.fetch("elsewhere", {})
